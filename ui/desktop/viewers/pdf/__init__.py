"""The PDF viewer and its page strip."""
