"""Small shared pieces of the desktop: icons and message colours."""
