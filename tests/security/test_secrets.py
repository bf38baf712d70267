"""Issue 12 item 1: no forgeable tokens — the signing secret is random, kept 0600, and weak ones are refused."""

from __future__ import annotations

import base64
import json
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import itsdangerous
import jwt
import pytest

from taquilla.core.secrets import InsecureSecretError, check_secret, load_or_create_secret, secret_file
from taquilla.core.settings import Settings
from taquilla.main import create_app
from tests.builders import Builders

OLD_SOURCE_SECRET = "change-me-taquilla-dev-secret-0123456789"


@asynccontextmanager
async def app_without_jwt_secret(settings: Settings, data_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A second application on the test database and Redis, started as ``serve`` is: no ``JWT_SECRET``."""
    application = create_app(settings.model_copy(update={"jwt_secret": "", "data_dir": data_dir}))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            yield c


def forged_admin_token(user_id: str) -> str:
    now = datetime.now(UTC)
    claims = {"sub": user_id, "username": "root", "role": "ADMIN", "iat": now, "exp": now + timedelta(hours=1)}
    return jwt.encode(claims, OLD_SOURCE_SECRET, algorithm="HS256")


async def test_token_forged_with_the_old_source_secret_is_refused(
    settings: Settings, build: Builders, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    admin = await build.user("root", role="ADMIN")
    forged = {"Authorization": f"Bearer {forged_admin_token(admin.id)}"}
    async with app_without_jwt_secret(settings, tmp_path) as fresh:
        r = await fresh.get("/api/v1/users", headers=forged)
        assert r.status_code == 401 and r.json()["error"]["code"] == "INVALID_TOKEN"
        r = await fresh.post("/api/v1/users", headers=forged, json={"username": "mallory", "password": "12345678", "role": "ADMIN"})
        assert r.status_code == 401
    assert await build.scalar("SELECT count(*) FROM users WHERE username = 'mallory'") == 0


async def test_back_office_cookie_forged_with_the_old_source_secret_is_refused(
    settings: Settings, build: Builders, tmp_path: Path
) -> None:
    admin = await build.user("root", role="ADMIN")
    payload = base64.b64encode(json.dumps({"user_id": admin.id, "username": "root", "ver": 0}).encode())
    cookie = itsdangerous.TimestampSigner(OLD_SOURCE_SECRET).sign(payload).decode()
    async with app_without_jwt_secret(settings, tmp_path) as fresh:
        r = await fresh.get("/admin/", cookies={"session": cookie})
    assert r.status_code in (302, 303, 307) and "/admin/login" in r.headers["location"]


async def test_generated_secret_is_kept_0600_and_reused(settings: Settings, build: Builders, tmp_path: Path) -> None:
    await build.user("ana", role="ADMIN")
    async with app_without_jwt_secret(settings, tmp_path) as first:
        login = await first.post("/api/v1/auth/login", json={"username": "ana", "password": "correct-horse-battery"})
        assert login.status_code == 200
        token = login.json()["data"]["accessToken"]
    path = secret_file(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    secret = path.read_text().strip()
    assert len(secret) >= 32 and secret != OLD_SOURCE_SECRET
    async with app_without_jwt_secret(settings, tmp_path) as restarted:  # same data dir: same secret, token still valid
        me = await restarted.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
    assert path.read_text().strip() == secret


def test_secret_file_readable_by_others_is_tightened(tmp_path: Path) -> None:
    secret = load_or_create_secret(tmp_path)
    secret_file(tmp_path).chmod(0o644)
    assert load_or_create_secret(tmp_path) == secret
    assert stat.S_IMODE(secret_file(tmp_path).stat().st_mode) == 0o600


@pytest.mark.parametrize("weak", [OLD_SOURCE_SECRET, "short", "x" * 31])
def test_known_or_short_secret_from_environment_is_a_startup_error(weak: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InsecureSecretError):
        check_secret(weak)
    monkeypatch.setenv("JWT_SECRET", weak)
    with pytest.raises(ValueError, match="JWT_SECRET") as info:
        Settings()
    assert weak not in str(info.value)  # the error never echoes the secret
