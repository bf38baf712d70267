"""The HMAC secret of the bearer tokens and of the back office's session cookie.

``JWT_SECRET`` given by environment must be at least :data:`MIN_SECRET_LENGTH`
characters and none of :data:`KNOWN_SECRETS` (the development default that an
earlier version wrote in its source: anyone could mint an ADMIN token with it).
Without ``JWT_SECRET`` a random secret is generated on first start and kept in
``$TAQUILLA_DATA_DIR/jwt_secret`` (mode 0600), so tokens survive restarts and every
process on the same data directory signs with the same key.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path
from typing import TYPE_CHECKING

import structlog

if TYPE_CHECKING:
    from taquilla.core.settings import Settings

log = structlog.get_logger(__name__)

MIN_SECRET_LENGTH = 32
KNOWN_SECRETS = frozenset({"change-me-taquilla-dev-secret-0123456789"})
SECRET_FILE_NAME = "jwt_secret"


class InsecureSecretError(ValueError):
    """A secret that must not sign tokens (known, or too short)."""


def check_secret(value: str, *, source: str = "JWT_SECRET") -> str:
    """Return ``value`` when it may sign tokens. Raises :class:`InsecureSecretError` naming ``source``."""
    if value in KNOWN_SECRETS:
        raise InsecureSecretError(
            f"{source} is a published development secret: anyone could forge tokens with it. "
            "Unset it (a random secret is then kept in the data directory) or set a new random one."
        )
    if len(value) < MIN_SECRET_LENGTH:
        raise InsecureSecretError(
            f"{source} is {len(value)} characters long; use at least {MIN_SECRET_LENGTH} random characters "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'), or unset it."
        )
    return value


def secret_file(data_dir: Path) -> Path:
    """Where the generated secret is kept: ``data_dir/jwt_secret``."""
    return data_dir / SECRET_FILE_NAME


def load_or_create_secret(data_dir: Path, name: str = SECRET_FILE_NAME) -> str:
    """The secret kept in ``data_dir/name`` (created with mode 0600 on first call).

    Safe when several processes start at once: the file is written under a temporary
    name and linked into place, so a reader never sees a half-written secret and the
    first writer wins. A file readable by others is tightened to 0600.
    Raises :class:`InsecureSecretError` when the stored secret is too short.
    """
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = data_dir / name
    if not path.exists():
        tmp = data_dir / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48) + "\n")
            with contextlib.suppress(FileExistsError):  # another process won the race: use its secret
                os.link(tmp, path)
                log.info("secret_generated", path=str(path))
        finally:
            tmp.unlink(missing_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        path.chmod(0o600)
        log.warning("secret_permissions_tightened", path=str(path), was=oct(mode))
    return check_secret(path.read_text().strip(), source=str(path))


def ensure_jwt_secret(settings: Settings) -> Settings:
    """``settings`` with ``jwt_secret`` filled from the data directory when not given by environment."""
    if settings.jwt_secret:
        return settings
    return settings.model_copy(update={"jwt_secret": load_or_create_secret(settings.data_dir)})
