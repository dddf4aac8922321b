"""Evidence bundles: plan, redact, write the BagIt bag, sign, encrypt, verify and import."""
