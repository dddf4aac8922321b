"""Shipped data only (taxonomy seed, identifier tables, icons), read with
``importlib.resources``; no code lives here."""
