"""The demo library: invented material and the marks a reviewer would make on it."""
