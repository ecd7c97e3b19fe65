"""Hustings: run a party leadership election end to end."""

__version__ = "0.1.0"
