"""Routing's use cases. They take a unit of work and never commit."""
