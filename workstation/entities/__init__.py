"""Entities (vessels, companies, places...) and their recognition in text."""
