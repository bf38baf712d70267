"""End to end: the back office at /admin, driven by headless Chromium over the DevTools protocol.

An ADMIN logs in (a wrong password and a non-admin are refused), sees the catalog, creates a
location through the form (it lands in the database) and looks at a sold ticket.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tests.boxoffice.builders import build_venue
from tests.builders import PASSWORD, Builders
from tests.live import live_servers

pytestmark = pytest.mark.asyncio


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if path := shutil.which(name):
            return path
    return None


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Chromium's path; installs Debian's ``chromium`` when missing and we are root (fresh CI machines)."""
    path = _chromium()
    if path is None and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, timeout=600, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False, env=env, timeout=1200, capture_output=True)
        path = _chromium()
    if path is None:
        pytest.skip("Chromium is not installed and cannot be installed here (needs root and apt-get).")
    return path


class Page:
    """A minimal Chrome DevTools Protocol client for one page."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.ids = itertools.count(1)

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        msg_id = next(self.ids)
        await self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            msg = json.loads(await asyncio.wait_for(self.ws.recv(), timeout=30))
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    async def js(self, expression: str) -> Any:
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return result.get("result", {}).get("value")

    async def wait_for(self, expression: str, timeout: float = 15) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                value = await self.js(expression)
            except RuntimeError:
                value = None
            if value:
                return value
            await asyncio.sleep(0.1)
        raise AssertionError(f"timed out waiting for {expression}; at {await self.js('location.href')}")

    async def goto(self, url: str) -> None:
        await self.send("Page.navigate", url=url)
        await self.wait_for(f"location.href.startsWith({json.dumps(url)}) && document.readyState === 'complete'")

    async def text(self) -> str:
        return await self.js("document.body ? document.body.innerText : ''") or ""

    async def submit(self, fields: dict[str, str]) -> None:
        """Fill the named inputs of the page's form and submit it."""
        await self.js("window.__before = location.href + '#' + Math.random(); document.body.dataset.e2e = 'old'")
        script = "".join(f"document.querySelector('[name={name}]').value = {json.dumps(value)};" for name, value in fields.items())
        await self.js(script + "document.querySelector('[name=%s]').form.submit()" % next(iter(fields)))
        await self.wait_for("document.readyState === 'complete' && document.body && document.body.dataset.e2e !== 'old'")


@pytest.fixture
async def page(chromium_path: str) -> AsyncIterator[Page]:
    profile = tempfile.mkdtemp(prefix="taquilla-chromium-")
    proc = subprocess.Popen(
        [chromium_path, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        port_file = Path(profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("Chromium did not start")
            await asyncio.sleep(0.1)
        port = int(port_file.read_text().splitlines()[0])
        async with httpx.AsyncClient() as http:
            targets = (await http.get(f"http://127.0.0.1:{port}/json/list")).json()
        ws_url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        async with websockets.connect(ws_url, max_size=None) as ws:
            p = Page(ws)
            await p.send("Page.enable")
            yield p
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def live(settings) -> Iterator[str]:
    with live_servers(settings, count=1) as urls:
        yield urls[0]


async def test_admin_back_office_in_headless_chromium(page: Page, live: str, build: Builders, client: httpx.AsyncClient) -> None:
    await build.user("boss", role="ADMIN")
    await build.organizer("org_x")
    await build.user("orgy", role="ORGANIZER", organizer_id="org_x")
    v = await build_venue(build, key="adm", location_name="Teatro Variedades")
    sale = await client.post("/api/v1/boxoffice/tickets", json=v.order(v.seat(4), document="7-7777-7777"))
    assert sale.status_code == 201

    await page.goto(f"{live}/admin/")
    assert "/admin/login" in await page.js("location.href")
    await page.submit({"username": "boss", "password": "wrong-password"})
    assert "/admin/login" in await page.js("location.href")
    await page.submit({"username": "orgy", "password": PASSWORD})
    assert "/admin/login" in await page.js("location.href")

    await page.submit({"username": "boss", "password": PASSWORD})
    assert "/admin/login" not in await page.js("location.href")
    menu = await page.text()
    for label in ("Locations", "Location sections", "Presentations", "Price zones", "Zone items", "Events", "Tickets"):
        assert label in menu, label

    await page.goto(f"{live}/admin/location/list")
    assert "Teatro Variedades" in await page.text()

    await page.goto(f"{live}/admin/location/create")
    await page.submit({"name": "Estadio Nacional", "city": "La Sabana"})
    assert await build.scalar("SELECT city FROM locations WHERE name = 'Estadio Nacional'") == "La Sabana"
    new_id = await build.scalar("SELECT id FROM locations WHERE name = 'Estadio Nacional'")
    assert new_id.startswith("loc_")

    await page.goto(f"{live}/admin/ticket/list")
    listing = await page.text()
    assert sale.json()["data"]["id"] in listing and "7-7777-7777" in listing
    assert "New Ticket" not in listing  # tickets are read-only in the back office
