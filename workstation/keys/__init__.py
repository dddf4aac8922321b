"""Signing keys: the keyring every signature in the library is made and checked with."""
