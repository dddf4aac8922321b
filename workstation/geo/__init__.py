"""Where a picture lies on the Earth: georeferences, coordinates of marks, measurements."""
