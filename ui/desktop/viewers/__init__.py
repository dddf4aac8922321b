"""Viewers of a source (PDF, image, article) and the panes that hold them."""
