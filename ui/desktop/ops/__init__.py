"""User actions that run a service off the GUI thread, with progress and a result."""
