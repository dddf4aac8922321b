"""The application shell: start-up, the main window, the library controller."""
