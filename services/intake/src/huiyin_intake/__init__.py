"""Huiyin intake service: registration, numbering and acceptance of petitions."""

__version__ = "0.1.0"
