"""Huiyin routing service: the jurisdiction registry and routing decisions."""

__version__ = "0.1.0"
