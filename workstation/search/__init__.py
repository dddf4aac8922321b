"""Full-text search as reviewers use it: a query language, filters and snippets."""
