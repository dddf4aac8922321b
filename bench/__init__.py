"""Benchmarks: scripts that print figures and ratios; they never pass or fail on time."""
