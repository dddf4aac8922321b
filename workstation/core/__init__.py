"""The library itself: its folder, database sessions, blobs, audit trail, check,
and the small shared pieces (errors, progress, dates, config) every feature uses."""
