"""The desktop app (PySide6). The GUI thread draws; work runs in ``ui.desktop.ops``."""
