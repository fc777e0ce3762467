"""Renderers: the same result objects as a terminal table, JSON lines or JSON."""
