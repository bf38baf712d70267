"""Shared machinery: settings, database, cache, auth, errors, money, periods, idempotency.

Nothing in this package imports a context package (director, boxoffice, network, identity).
"""
