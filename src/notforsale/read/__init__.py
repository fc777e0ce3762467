"""Readers: turn inputs into text (and, later, images and table cells)."""
