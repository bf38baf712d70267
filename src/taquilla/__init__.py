"""Taquilla: back office for ticketing businesses (box office, director, sales network)."""

__version__ = "0.1.0"
