"""SQLAlchemy models of the sales network context."""
