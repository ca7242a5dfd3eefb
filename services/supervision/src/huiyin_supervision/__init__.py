"""Huiyin supervision service: time-limit clocks on petitions and cases (督办)."""

__version__ = "0.1.0"
