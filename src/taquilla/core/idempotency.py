"""``Idempotency-Key`` (IETF draft semantics, DOMAIN.md "Idempotency").

* same key + same payload → the stored response is replayed (same status and body);
* same key + another payload → 422 ``IDEMPOTENCY_KEY_REUSED``;
* same key while the first request is still in flight → 409 ``IDEMPOTENCY_IN_FLIGHT``;
* a body key (``idempotencyKey``, ``requestId``) that disagrees with the header → 400
  ``IDEMPOTENCY_KEY_MISMATCH``.

The payload fingerprint is the method, the path with its query string and the
canonical JSON body: keys sorted, numbers compared by value (``100`` and
``100.0`` are the same payload). Keys are scoped to the authenticated user;
anonymous keys (the storefront) to the key alone.

The stored response is written in the same transaction as the write it
describes, so a retried request never writes twice. In-flight detection uses a
transaction-scoped advisory lock on the key, released at commit or rollback.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Depends, Header, Request

from taquilla.core.db import SessionDep, driver_connection
from taquilla.core.errors import BadRequest, Conflict, Unprocessable
from taquilla.core.jsonenc import TaquillaJSONResponse, dumps
from taquilla.core.models import IdempotencyRecord
from taquilla.core.responses import envelope
from taquilla.core.security import get_optional_principal

MAX_KEY_LENGTH = 255


class IdempotentReplay(Exception):
    """Raised to short-circuit a route with the stored response of an earlier request."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__("idempotent replay")
        self.status = status
        self.body = body


def canonical_json(value: Any) -> str:
    """A canonical text of a parsed JSON value: keys sorted, numbers by value (``100.0`` → ``100``)."""
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(k) + ":" + canonical_json(value[k]) for k in sorted(value)) + "}"
    if isinstance(value, list):
        return "[" + ",".join(canonical_json(v) for v in value) + "]"
    if isinstance(value, Decimal):
        number = format(value.normalize(), "f")
        return "0" if number in ("-0", "0") else number
    return json.dumps(value)


def fingerprint(method: str, path_and_query: str, body: bytes) -> str:
    """SHA-256 of method, path with query string and the canonical JSON body (raw bytes if not JSON)."""
    try:
        canonical = canonical_json(json.loads(body, parse_float=Decimal, parse_int=Decimal)).encode() if body else b""
    except ValueError:
        canonical = body
    return hashlib.sha256(method.encode() + b" " + path_and_query.encode() + b"\n" + canonical).hexdigest()


_LOCK = "SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))"
_LOOKUP = (
    f"SELECT request_hash, response_status, response_body::text FROM {IdempotencyRecord.__tablename__} "
    "WHERE scope = $1 AND key = $2"
)
_STORE = (
    f"INSERT INTO {IdempotencyRecord.__tablename__} "
    "(scope, key, method, path, request_hash, response_status, response_body) VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb)"
)


class Idempotency:
    """Per-request idempotency handle: call :meth:`respond` to build (and store) the response."""

    def __init__(self, session: Any, scope: str, method: str, path: str, fingerprint: str | None = None, body: bytes = b"") -> None:
        self.session = session
        self.scope = scope
        self.method = method
        self.path = path
        self._fingerprint = fingerprint
        self._body = body
        self.key: str | None = None
        self.header_key: str | None = None

    @property
    def fingerprint(self) -> str:
        """The payload's :func:`fingerprint`, computed on first use: only a request that claims a key pays for it."""
        if self._fingerprint is None:
            self._fingerprint = fingerprint(self.method, self.path, self._body)
        return self._fingerprint

    async def claim(self, key: str | None) -> None:
        """Take ``key`` for this request (a header or a body field such as ``requestId``).

        Raises :class:`IdempotentReplay` (stored response), Conflict (in flight) or
        Unprocessable (key reused with another payload). ``None`` disables idempotency.
        """
        if key is None:
            return
        if getattr(self.session, "single_statement", False):  # db.driver_statement: the lock would end with its statement
            raise RuntimeError("An idempotency key needs a transaction; open the request with driver_transaction.")
        if not key or len(key) > MAX_KEY_LENGTH:
            raise BadRequest(f"Idempotency key must be 1–{MAX_KEY_LENGTH} characters.", code="INVALID_IDEMPOTENCY_KEY")
        conn = await driver_connection(self.session)  # hand-written SQL: this runs on every keyed POST
        if not await conn.fetchval(_LOCK, self.scope + "\x1f" + key):
            raise Conflict("A request with this idempotency key is still in progress.", code="IDEMPOTENCY_IN_FLIGHT")
        stored = await conn.fetchrow(_LOOKUP, self.scope, key)  # after the lock: sees a finished twin's commit
        if stored is not None:
            if stored[0] != self.fingerprint:
                raise Unprocessable(
                    "This idempotency key was already used with a different request.", code="IDEMPOTENCY_KEY_REUSED"
                )
            raise IdempotentReplay(stored[1], json.loads(stored[2], parse_float=Decimal))
        self.key = key

    async def claim_body_key(self, body_key: str | None) -> None:
        """Honour a key named in the body (``idempotencyKey``, ``requestId``) like the header.

        Raises BadRequest ``IDEMPOTENCY_KEY_MISMATCH`` when both are given and differ;
        otherwise as :meth:`claim`.
        """
        if body_key is None:
            return
        if self.key is not None or self.header_key is not None:
            if body_key != (self.key or self.header_key):
                raise BadRequest(
                    "The Idempotency-Key header and the body's idempotency key differ.", code="IDEMPOTENCY_KEY_MISMATCH"
                )
            return
        await self.claim(body_key)

    async def respond(self, status: int, data: Any) -> TaquillaJSONResponse:
        """Wrap ``data`` in the success envelope; store it under the claimed key (same transaction)."""
        raw = dumps(envelope(data))
        if self.key is not None:
            conn = await driver_connection(self.session)
            await conn.execute(_STORE, self.scope, self.key, self.method, self.path, self.fingerprint, status, raw.decode())
        response = TaquillaJSONResponse(None, status_code=status)
        response.body = raw
        response.headers["content-length"] = str(len(raw))
        return response


async def idempotency_of(request: Request, session: Any) -> Idempotency:
    """The request's :class:`Idempotency` handle, its ``Idempotency-Key`` header (if any) claimed in ``session``'s transaction.

    :data:`IdempotencyDep` is this as a dependency; a hand-resolved route (``core.routing.hand_resolved``) calls it.
    Raises :class:`IdempotentReplay` (the stored answer) or the claim's 409/422.
    """
    # The caller, as OptionalPrincipal resolves it (memoised on request.state by the route's own auth
    # dependency): called directly rather than declared, one sub-dependency less to solve per POST.
    principal = await get_optional_principal(request)
    body = await request.body()  # already read and cached for the route's body model
    scope = principal.user_id if principal is not None else "anon"
    query = request.scope.get("query_string") or b""
    target = request.scope["path"] + (f"?{query.decode('latin-1')}" if query else "")
    # The fingerprint (a canonical JSON re-parse + SHA-256 of the body) is computed only when a key is
    # claimed, by the header here or by a body key later (issue 13: it ran on every POST).
    handle = Idempotency(session, scope, request.method, target, body=body)
    handle.header_key = request.headers.get("idempotency-key")
    await handle.claim(handle.header_key)
    return handle


async def _idempotency(
    request: Request,
    session: SessionDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,  # declared for OpenAPI; read by idempotency_of
) -> Idempotency:
    return await idempotency_of(request, session)


IdempotencyDep = Annotated[Idempotency, Depends(_idempotency)]
"""Inject into a POST route; honours the ``Idempotency-Key`` header."""


def replay_response(exc: IdempotentReplay) -> TaquillaJSONResponse:
    """The stored response, marked with ``Idempotent-Replayed: true``."""
    return TaquillaJSONResponse(status_code=exc.status, content=exc.body, headers={"Idempotent-Replayed": "true"})
