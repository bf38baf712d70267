"""Issue 14, Access matrix: every route of the route table against every kind of caller.

Callers: no token, an expired token, a token signed with another key, and a valid token of
each role (ADMIN, ORGANIZER, VENTANA listero, VENDEDOR). Each route declares who may pass its
gate in :data:`ACCESS`; a route of the application without a declaration (or a declaration
without a route) fails the test, so a new route cannot ship without one.

* ``PUBLIC`` — no token needed (a bad token is never a 401 either);
* otherwise the roles that pass: every other caller gets 401 (no/expired/forged token) or
  403 from the role gate. A role that passes may still get 400/404/409/422 (the probe sends
  unknown ids and an empty body) or 403 ``OUT_OF_SCOPE`` (an object outside its scope) —
  never 401, never a role refusal, never a 5xx.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
from fastapi.routing import APIRoute

from tests.builders import Builders
from tests.network.builders import Clock, Net

PUBLIC = "PUBLIC"
A, O, V, S = "ADMIN", "ORGANIZER", "VENTANA", "VENDEDOR"
NETWORK = frozenset({A, V, S})
ALL = frozenset({A, O, V, S})
ADMIN = frozenset({A})
ADMIN_LISTERO = frozenset({A, V})
DIRECTOR = frozenset({A, O})


def _routes(app: Any) -> dict[tuple[str, str], APIRoute]:
    def walk(routes: list[Any]) -> list[Any]:
        return [leaf for r in routes for leaf in (walk(r.original_router.routes) if hasattr(r, "original_router") else [r])]

    return {(m, r.path): r for r in walk(app.routes) if isinstance(r, APIRoute) for m in r.methods - {"HEAD"}}


# fmt: off
ACCESS: dict[tuple[str, str], str | frozenset[str]] = {}
"""(method, path template) → ``PUBLIC`` or the roles that pass the route's gate. Filled below by area."""


def _declare(access: str | frozenset[str], *routes: str) -> None:
    for route in routes:
        method, path = route.split(" ", 1)
        assert (method, path) not in ACCESS, f"declared twice: {route}"
        ACCESS[(method, path)] = access


_declare(  # no token: login, refresh, the box office's customer sale, health and metrics, an export's capability link
    PUBLIC,
    "GET /api/v1/admin/dashboard/export/{token}",
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/refresh",
    "POST /api/v1/boxoffice/tickets",
    "GET /healthz",
    "GET /metrics",
    "GET /readyz",
)
_declare(  # any signed-in user: the box office catalogue, the session
    ALL,
    "POST /api/v1/auth/logout",
    "GET /api/v1/auth/me",
    "GET /api/v1/boxoffice/events",
    "GET /api/v1/boxoffice/events/{event_id}",
    "GET /api/v1/boxoffice/location-sections",
    "GET /api/v1/boxoffice/location-sections/{section_id}",
    "GET /api/v1/boxoffice/locations",
    "GET /api/v1/boxoffice/locations/{location_id}",
    "GET /api/v1/boxoffice/presentation-section-items",
    "GET /api/v1/boxoffice/presentation-section-items/{item_id}",
    "GET /api/v1/boxoffice/presentation-sections",
    "GET /api/v1/boxoffice/presentation-sections/{zone_id}",
    "GET /api/v1/boxoffice/presentations",
    "GET /api/v1/boxoffice/presentations/{presentation_id}",
)
_declare(  # every network role; the repositories narrow to the caller's ventana/vendedor
    NETWORK,
    "GET /api/v1/accounts",
    "GET /api/v1/accounts/mayorizations/history",
    "GET /api/v1/accounts/payment-history",
    "GET /api/v1/accounts/statement",
    "GET /api/v1/accounts/statement/{day}/bySorteo",
    "GET /api/v1/accounts/{account_id}",
    "GET /api/v1/loterias",
    "GET /api/v1/loterias/{loteria_id}",
    "GET /api/v1/multipliers",
    "GET /api/v1/multipliers/{multiplier_id}",
    "GET /api/v1/restrictions",
    "GET /api/v1/restrictions/{rule_id}",
    "GET /api/v1/sorteos",
    "GET /api/v1/sorteos/{sorteo_id}",
    "GET /api/v1/tickets",
    "POST /api/v1/tickets",
    "GET /api/v1/tickets/{ticket_id}",
    "PATCH /api/v1/tickets/{ticket_id}/cancel",
    "POST /api/v1/tickets/{ticket_id}/cancel",
    "POST /api/v1/tickets/{ticket_id}/pay",
    "GET /api/v1/tickets/{ticket_id}/prize-payments",
    "POST /api/v1/tickets/{ticket_id}/prize-payments",
    "GET /api/v1/users/{user_id}",
    "PATCH /api/v1/users/{user_id}",
    "GET /api/v1/vendedores",
    "GET /api/v1/vendedores/{vendedor_id}",
    "GET /api/v1/ventanas",
    "GET /api/v1/ventanas/{ventana_id}",
    "GET /api/v1/ventas/breakdown",
    "GET /api/v1/ventas/summary",
    "GET /api/v1/ventas/timeseries",
)
_declare(  # ADMIN and a ventana's listero (its own vendedores, its dashboard); a VENDEDOR is refused
    ADMIN_LISTERO,
    "POST /api/v1/accounts/mayorizations/settle",
    "POST /api/v1/accounts/payment",
    "POST /api/v1/accounts/reverse-payment",
    "POST /api/v1/accounts/{accountId}/mayorizations/calculate",
    "GET /api/v1/admin/dashboard",
    "GET /api/v1/admin/dashboard/cxc",
    "GET /api/v1/admin/dashboard/cxp",
    "GET /api/v1/admin/dashboard/ganancia",
    "GET /api/v1/admin/dashboard/ganancia/month-to-date",
    "GET /api/v1/admin/dashboard/timeseries",
    "GET /api/v1/admin/dashboard/export",
    "GET /api/v1/admin/dashboard/exposure",
    "GET /api/v1/admin/dashboard/vendedores",
    "GET /api/v1/bancas/{holder_id}/commission-policy",
    "POST /api/v1/tickets/{ticket_id}/prize-payments/{payment_id}/reverse",
    "POST /api/v1/tickets/{ticket_id}/reverse-payment",
    "GET /api/v1/users",
    "POST /api/v1/users",
    "GET /api/v1/users/{holder_id}/commission-policy",
    "POST /api/v1/vendedores",
    "PATCH /api/v1/vendedores/{vendedor_id}",
    "GET /api/v1/ventanas/{holder_id}/commission-policy",
)
_declare(  # ADMIN, or the ORGANIZER of that organizer
    DIRECTOR,
    "GET /director/organizers/{organizer_id}",
    "GET /director/organizers/{organizer_id}/ledger",
)
_declare(  # ADMIN only: structure, catalogue writes, draws, the director's back office
    ADMIN,
    "GET /api/v1/bancas",
    "POST /api/v1/bancas",
    "GET /api/v1/bancas/{banca_id}",
    "PATCH /api/v1/bancas/{banca_id}",
    "PUT /api/v1/bancas/{holder_id}/commission-policy",
    "POST /api/v1/boxoffice/events",
    "DELETE /api/v1/boxoffice/events/{event_id}",
    "PATCH /api/v1/boxoffice/events/{event_id}",
    "POST /api/v1/boxoffice/location-sections",
    "DELETE /api/v1/boxoffice/location-sections/{section_id}",
    "PATCH /api/v1/boxoffice/location-sections/{section_id}",
    "POST /api/v1/boxoffice/locations",
    "DELETE /api/v1/boxoffice/locations/{location_id}",
    "PATCH /api/v1/boxoffice/locations/{location_id}",
    "POST /api/v1/boxoffice/presentation-section-items",
    "DELETE /api/v1/boxoffice/presentation-section-items/{item_id}",
    "POST /api/v1/boxoffice/presentation-sections",
    "DELETE /api/v1/boxoffice/presentation-sections/{zone_id}",
    "PATCH /api/v1/boxoffice/presentation-sections/{zone_id}",
    "POST /api/v1/boxoffice/presentations",
    "DELETE /api/v1/boxoffice/presentations/{presentation_id}",
    "PATCH /api/v1/boxoffice/presentations/{presentation_id}",
    "GET /api/v1/boxoffice/tickets",
    "GET /api/v1/boxoffice/tickets/{ticket_id}",
    "POST /api/v1/boxoffice/tickets/{ticket_id}/cancel",
    "POST /api/v1/loterias",
    "PATCH /api/v1/loterias/{loteria_id}",
    "POST /api/v1/multipliers",
    "DELETE /api/v1/multipliers/{multiplier_id}",
    "PATCH /api/v1/multipliers/{multiplier_id}",
    "POST /api/v1/restrictions",
    "DELETE /api/v1/restrictions/{rule_id}",
    "PATCH /api/v1/restrictions/{rule_id}",
    "PATCH /api/v1/restrictions/{rule_id}/restore",
    "POST /api/v1/sorteos",
    "PATCH /api/v1/sorteos/{sorteo_id}",
    "PATCH /api/v1/sorteos/{sorteo_id}/close",
    "POST /api/v1/sorteos/{sorteo_id}/close",
    "PATCH /api/v1/sorteos/{sorteo_id}/evaluate",
    "POST /api/v1/sorteos/{sorteo_id}/evaluate",
    "PATCH /api/v1/sorteos/{sorteo_id}/open",
    "POST /api/v1/sorteos/{sorteo_id}/open",
    "PATCH /api/v1/sorteos/{sorteo_id}/revert-evaluation",
    "POST /api/v1/sorteos/{sorteo_id}/revert-evaluation",
    "PUT /api/v1/users/{holder_id}/commission-policy",
    "POST /api/v1/ventanas",
    "PUT /api/v1/ventanas/{holder_id}/commission-policy",
    "PATCH /api/v1/ventanas/{ventana_id}",
    "POST /director/assign",
    "GET /director/organizers",
    "POST /director/organizers",
    "GET /director/overview",
    "POST /director/payments",
)
# fmt: on


def _path(template: str) -> str:
    """Unknown ids everywhere, except the organizer's own id (its ledger is its to read)."""
    return re.sub(r"\{[^}]+\}", "matrix_unknown", template.replace("{organizer_id}", "org_matrix"))


async def _callers(app: Any, client: httpx.AsyncClient, build: Builders) -> dict[str, dict[str, str]]:
    """Headers of each kind of caller (valid tokens through the real login)."""
    await build.user("matrix_admin", role="ADMIN")
    admin = await build.login(client, "matrix_admin")
    net = Net(client, build, admin, Clock())
    banca = await net.banca()
    ventana = await net.ventana(banca["id"])
    listero = await net.listero(ventana["id"])
    vendedor = await net.login((await net.vendedor(ventana["id"]))["username"])
    await build.organizer("org_matrix", "Org Matrix")
    await build.user("matrix_org", role="ORGANIZER", organizer_id="org_matrix")
    organizer = await build.login(client, "matrix_org")
    claims = jwt.decode(admin["Authorization"][7:], options={"verify_signature": False})
    expired = {**claims, "iat": datetime.now(UTC) - timedelta(hours=2), "exp": datetime.now(UTC) - timedelta(hours=1)}
    secret = app.state.settings.jwt_secret
    return {
        "none": {},
        "expired": {"Authorization": "Bearer " + jwt.encode(expired, secret, algorithm="HS256")},
        "forged": {"Authorization": "Bearer " + jwt.encode(claims, "another-key-another-key-another-key-42", algorithm="HS256")},
        A: admin, O: organizer, V: listero, S: vendedor,
    }


async def _probe(client: httpx.AsyncClient, method: str, template: str, headers: dict[str, str]) -> tuple[int, str]:
    kwargs: dict[str, Any] = {"headers": headers}
    if method in ("POST", "PUT", "PATCH"):
        kwargs["json"] = {}
    r = await client.request(method, _path(template), **kwargs)
    code = ""
    if r.headers.get("content-type", "").startswith("application/json"):
        body = r.json()
        code = str(body.get("code") or (body.get("error") or {}).get("code") or "") if isinstance(body, dict) else ""
    return r.status_code, code


async def test_every_route_against_every_caller(app: Any, client: httpx.AsyncClient, build: Builders) -> None:
    routes = _routes(app)
    assert sorted(set(routes) - set(ACCESS)) == [], "routes without a declared access rule"
    assert sorted(set(ACCESS) - set(routes)) == [], "declared routes that do not exist"
    callers = await _callers(app, client, build)
    wrong: list[str] = []
    for (method, template), access in sorted(ACCESS.items()):
        for who, headers in callers.items():
            status, code = await _probe(client, method, template, headers)
            if status >= 500:
                wrong.append(f"{method} {template} as {who}: {status}")
            elif access == PUBLIC:
                if status == 401 or (status == 403 and code != "OUT_OF_SCOPE"):
                    wrong.append(f"{method} {template} (public) as {who}: {status} {code}")
            elif who in ("none", "expired", "forged"):
                if status != 401:
                    wrong.append(f"{method} {template} as {who}: {status} {code}, expected 401")
            elif who in access:
                if status == 401 or (status == 403 and code != "OUT_OF_SCOPE"):
                    wrong.append(f"{method} {template} as {who}: {status} {code}, expected to pass the gate")
            elif status != 403 or code == "OUT_OF_SCOPE":
                wrong.append(f"{method} {template} as {who}: {status} {code}, expected the role gate's 403")
    assert wrong == []
