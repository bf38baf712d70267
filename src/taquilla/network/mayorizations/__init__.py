"""Mayorizations (seeds 002/003): calculate, history and settle the closing of a period per account."""
