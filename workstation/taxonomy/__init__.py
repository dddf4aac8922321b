"""The taxonomy of violations: the sanctions measures reviewers tag passages with."""
