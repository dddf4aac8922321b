"""Export, signing-key and bundle dialogs."""
