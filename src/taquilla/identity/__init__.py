"""Identity: users, login and the token's principal (roles ADMIN, VENTANA, VENDEDOR, ORGANIZER)."""
