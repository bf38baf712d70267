"""Box office sales: the storefront sale (no oversell) and tickets (read, list, cancel)."""
