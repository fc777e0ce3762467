"""Anonymized copies: blur faces, mask numbers, strip metadata — and prove nothing is left."""
