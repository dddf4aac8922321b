"""Entities in the app: linking, the entity form, merging, the Entities window."""
