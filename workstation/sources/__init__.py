"""Sources: what a file is, its import, its pages, its imagery, cases, and lookup."""
