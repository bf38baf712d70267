"""Identity: users, login and the token's principal (roles ADMIN, VENTANA, VENDEDOR, ORGANIZER)."""

from taquilla.identity import events as _events  # noqa: F401 - registers the token-revocation hooks of User
