"""Findings: claims resting on graded evidence, and how independent their sources are."""
