"""Entities in the app: linking, the entity form, the Entities window."""
