"""Huiyin accountability service: the power-operation record (a hash-chained event ledger)."""

__version__ = "0.1.0"
