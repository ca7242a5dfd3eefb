"""Accountability's pure rules: no I/O, no framework."""
