"""Live API servers in subprocesses, for tests that need real parallel requests.

``live_servers(settings, count=2, extra_env={...})`` starts ``count`` uvicorn
processes on free loopback ports, all sharing the test database and Redis, and
yields their base URLs; they are terminated on exit.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from taquilla.core.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(settings: Settings, extra_env: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": settings.database_url,
            "REDIS_URL": settings.redis_url,
            "JWT_SECRET": settings.jwt_secret,
            "TAQUILLA_DATA_DIR": str(settings.data_dir),
            "LOG_LEVEL": "WARNING",
            "KPI_REFRESH_DEBOUNCE_MS": str(settings.kpi_refresh_debounce_ms),
        }
    )
    env.update(extra_env or {})
    return env


@contextlib.contextmanager
def live_servers(settings: Settings, count: int = 2, extra_env: dict[str, str] | None = None) -> Iterator[list[str]]:
    """Start ``count`` API processes; yield their base URLs (``http://127.0.0.1:PORT``)."""
    procs: list[subprocess.Popen[bytes]] = []
    urls: list[str] = []
    env = server_env(settings, extra_env)
    try:
        for _ in range(count):
            port = free_port()
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "uvicorn", "taquilla.main:create_app", "--factory",
                     "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                    env=env,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 90  # a loaded 2-core machine starts a process slowly
        for url in urls:  # one deadline for all of them
            wait_ready(url, timeout=deadline - time.monotonic())
        yield urls
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


def run_cli(env: dict[str, str], *args: str) -> str:
    """Run ``taquilla *args`` with ``env``; its stdout (the command must succeed)."""
    taquilla = str(Path(sys.executable).with_name("taquilla"))
    done = subprocess.run([taquilla, *args], env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def wait_ready(url: str, timeout: float = 60, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Poll ``url/readyz`` until it answers 200; RuntimeError after ``timeout`` s, or at once if ``proc`` exited."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or (proc is not None and proc.poll() is not None):
            raise RuntimeError(f"live server {url} did not become ready")
        time.sleep(0.1)
