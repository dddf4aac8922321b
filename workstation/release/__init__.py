"""Signed releases: SHA256SUMS over a release folder, an Ed25519 signature over it, and the check.

A laptop is updated from a USB stick, so what is on the stick must be shown to
be what the release team built before anything is installed from it.
"""
