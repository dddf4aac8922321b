"""Marks in the viewers, the marks list, the category picker and taxonomy editor."""
