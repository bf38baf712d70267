"""The dashboard's export (contract row 74, the front end's "Exportar Dashboard" dialog).

``GET /api/v1/admin/dashboard/export?format=csv|xlsx&sections=…`` renders the chosen sections of the
period's dashboard into one file, keeps it in Redis for ``DASHBOARD_EXPORT_TTL_SECONDS`` under an
unguessable token and answers ``{url, filename, format, expiresAt}``; the front end opens ``url``
in a new window, which sends no token, so the download route is a capability URL (the token is the
credential, like a pre-signed link) and the file only lives for the TTL.

Sections (all of them when ``sections`` is omitted, as the front end sends it):

* ``kpis`` — the dashboard's KPIs beside the previous period's;
* ``ventanas`` — the dashboard's ``byVentana`` rows;
* ``loterias`` — ganancia by lotería;
* ``vendedores`` — every row of ``/admin/dashboard/vendedores`` (sales desc);
* ``finanzas`` — the CxC and CxP items per ventana (``kind`` CXC/CXP, seed 001's fields and saldoAHoy);
* ``exposure`` — the 100 riskiest (number, bet type) pairs of the period's pending sorteos.

``pdf`` is not produced: refused with 400 before anything is computed, as an unknown section is.
Amounts are exact decimals (major units, two places).
"""

from __future__ import annotations

import base64
import csv
import io
import json
import secrets
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.errors import BadRequest, NotFound
from taquilla.core.jsonenc import dumps
from taquilla.core.pagination import PageParams
from taquilla.network.dashboard import service
from taquilla.network.dashboard.service import DashQuery

SECTIONS = ("kpis", "ventanas", "loterias", "vendedores", "finanzas", "exposure")
FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_KEY = "net:export:"
_EVERY_ROW = PageParams(page=1, page_size=10_000_000)

Table = tuple[list[str], list[list[Any]]]


def parse_sections(value: str | None) -> tuple[str, ...]:
    """The asked sections in the canonical order (all when omitted). Raises BadRequest ``INVALID_SECTION``."""
    if not value:
        return SECTIONS
    asked = [s.strip() for s in value.split(",") if s.strip()]
    unknown = [s for s in asked if s not in SECTIONS]
    if unknown or not asked:
        raise BadRequest(f"sections must be a comma list of {', '.join(SECTIONS)}; got {value!r}.", code="INVALID_SECTION")
    return tuple(s for s in SECTIONS if s in asked)


def check_format(value: str) -> str:
    """``csv`` or ``xlsx``. Raises BadRequest ``FORMAT_NOT_SUPPORTED`` (``pdf`` included)."""
    if value not in FORMATS:
        raise BadRequest(f"format must be csv or xlsx; got {value!r}.", code="FORMAT_NOT_SUPPORTED")
    return value


def _plain(value: Any) -> Any:
    """An answer as plain JSON values with exact Decimals (the rendered fragments parsed back)."""
    return json.loads(dumps(value), parse_float=Decimal)


def _flat(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in row.items():
        if isinstance(v, dict):
            out |= _flat(v, f"{prefix}{k}.")
        elif not isinstance(v, list):
            out[prefix + k] = v
    return out


def _table(rows: list[dict[str, Any]], lead: dict[str, Any] | None = None) -> Table:
    flat = [(lead or {}) | _flat(r) for r in rows]
    columns: list[str] = []
    for r in flat:
        columns += [c for c in r if c not in columns]
    return columns, [[r.get(c) for c in columns] for r in flat]


async def tables(session: AsyncSession, q: DashQuery, sections: tuple[str, ...], *, cxc_threshold: Decimal,
                 low_margin: Decimal, now: datetime) -> dict[str, Table]:
    """Each asked section of the period as ``(columns, rows)``, computed by the dashboards' own rules."""
    out: dict[str, Table] = {}
    if "kpis" in sections or "ventanas" in sections:
        d = _plain(await service.dashboard(session, replace(q, dimension="ventana"), "", cxc_threshold=cxc_threshold,
                                           low_margin=low_margin, now=now))
        prev = d["kpis"].pop("previousPeriod")
        if "kpis" in sections:
            out["kpis"] = (["kpi", "period", "previousPeriod"], [[k, v, prev.get(k)] for k, v in d["kpis"].items()])
        if "ventanas" in sections:
            out["ventanas"] = _table(d["byVentana"])
    if "loterias" in sections:
        out["loterias"] = _table(_plain(await service.ganancia(session, replace(q, dimension="loteria"), ""))["items"])
    if "vendedores" in sections:
        v = await service.vendedores(session, replace(q, dimension="vendedor"), "", _EVERY_ROW, "sales", True)
        out["vendedores"] = _table(_plain(v["data"]))
    if "finanzas" in sections:
        columns: list[str] = []
        rows: list[list[Any]] = []
        for kind in ("cxc", "cxp"):
            items = _plain(await service.accounts(session, replace(q, dimension="ventana"), kind, ""))["byVentana"]
            cols, part = _table(items, {"kind": kind.upper()})
            columns = columns or cols
            rows += part
        out["finanzas"] = (columns or ["kind"], rows)
    if "exposure" in sections:
        e = await service.exposure(session, replace(q, dimension="ventana"), "", 100, None)
        out["exposure"] = _table(_plain(e["topNumbers"]))
    return out


def render(fmt: str, title: str, sections: dict[str, Table]) -> bytes:
    """The file: CSV (UTF-8 with BOM, one block per section: its name, header, rows, a blank line) or XLSX (a sheet each)."""
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow([title])
        for name, (columns, rows) in sections.items():
            w.writerow([])
            w.writerow([name])
            w.writerow(columns)
            w.writerows(rows)
        return buf.getvalue().encode("utf-8-sig")
    from openpyxl import Workbook  # imported on use: only exports need it

    wb = Workbook(write_only=True)
    for name, (columns, rows) in sections.items():
        ws = wb.create_sheet(title=name)
        ws.append(columns)
        for r in rows:
            ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


async def store(redis: Any, fmt: str, filename: str, content: bytes, ttl_seconds: int, now: datetime) -> tuple[str, datetime]:
    """Keep the file for ``ttl_seconds``; returns ``(token, expiresAt UTC)``."""
    token = secrets.token_urlsafe(24)
    payload = json.dumps({"format": fmt, "filename": filename, "content": base64.b64encode(content).decode()})
    await redis.set(_KEY + token, payload, ex=ttl_seconds)
    return token, now.astimezone(UTC) + timedelta(seconds=ttl_seconds)


async def load(redis: Any, token: str) -> tuple[str, str, bytes]:
    """``(media type, filename, content)`` of a stored export. Raises NotFound ``EXPORT_NOT_FOUND`` (unknown or expired)."""
    raw = await redis.get(_KEY + token)
    if raw is None:
        raise NotFound("This export does not exist or has expired; export again.", code="EXPORT_NOT_FOUND")
    stored = json.loads(raw)
    return FORMATS[stored["format"]], stored["filename"], base64.b64decode(stored["content"])
