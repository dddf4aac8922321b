"""The ``workstation`` command line.

argparse only at start-up; no Qt until ``gui`` opens the desktop app.
"""
