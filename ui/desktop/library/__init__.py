"""The library side of the window: source list, search, inspector."""
