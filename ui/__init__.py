"""The two ways in: ``ui.cli`` (the ``workstation`` command) and ``ui.desktop`` (Qt)."""
