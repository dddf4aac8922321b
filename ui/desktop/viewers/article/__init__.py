"""The reader view of articles, text notes and e-mail."""
