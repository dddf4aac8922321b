"""The tiled image viewer and the facts panel beside it."""
