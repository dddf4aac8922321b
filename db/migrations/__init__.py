"""Alembic migrations of the library schema (run through db.migrate)."""
