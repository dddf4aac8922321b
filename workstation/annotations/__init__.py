"""Annotations: anchors in a source, stored rows <-> plain data, the service that
keeps them with history, counted and paged queries, and the W3C Web Annotation
interchange."""
