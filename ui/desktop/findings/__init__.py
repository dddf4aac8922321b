"""The Findings panel, the finding editor and Add to finding."""
