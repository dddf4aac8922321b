"""OCR: scanned pages and pictures of documents become text that search finds and marks use."""
