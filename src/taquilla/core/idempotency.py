"""``Idempotency-Key`` (IETF draft semantics, DOMAIN.md "Idempotency").

* same key + same payload → the stored response is replayed (same status and body);
* same key + another payload → 422 ``IDEMPOTENCY_KEY_REUSED``;
* same key while the first request is still in flight → 409 ``IDEMPOTENCY_IN_FLIGHT``.

The stored response is written in the same transaction as the write it
describes, so a retried request never writes twice. In-flight detection uses a
transaction-scoped advisory lock on the key, released at commit or rollback.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from taquilla.core.db import SessionDep
from taquilla.core.errors import BadRequest, Conflict, Unprocessable
from taquilla.core.models import IdempotencyRecord
from taquilla.core.responses import ok
from taquilla.core.security import OptionalPrincipal

MAX_KEY_LENGTH = 255


class IdempotentReplay(Exception):
    """Raised to short-circuit a route with the stored response of an earlier request."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__("idempotent replay")
        self.status = status
        self.body = body


def _fingerprint(method: str, path: str, body: bytes) -> str:
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode() if body else b""
    except ValueError:
        canonical = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical).hexdigest()


class Idempotency:
    """Per-request idempotency handle: call :meth:`respond` to build (and store) the response."""

    def __init__(self, session: Any, scope: str, method: str, path: str, fingerprint: str) -> None:
        self.session = session
        self.scope = scope
        self.method = method
        self.path = path
        self.fingerprint = fingerprint
        self.key: str | None = None

    async def claim(self, key: str | None) -> None:
        """Take ``key`` for this request (a header or a body field such as ``requestId``).

        Raises :class:`IdempotentReplay` (stored response), Conflict (in flight) or
        Unprocessable (key reused with another payload). ``None`` disables idempotency.
        """
        if key is None:
            return
        if not key or len(key) > MAX_KEY_LENGTH:
            raise BadRequest(f"Idempotency key must be 1–{MAX_KEY_LENGTH} characters.", code="INVALID_IDEMPOTENCY_KEY")
        locked = await self.session.scalar(
            select(func.pg_try_advisory_xact_lock(func.hashtextextended(self.scope + "\x1f" + key, 0)))
        )
        if not locked:
            raise Conflict("A request with this idempotency key is still in progress.", code="IDEMPOTENCY_IN_FLIGHT")
        stored = await self.session.get(IdempotencyRecord, (self.scope, key))
        if stored is not None:
            if stored.request_hash != self.fingerprint:
                raise Unprocessable(
                    "This idempotency key was already used with a different request.", code="IDEMPOTENCY_KEY_REUSED"
                )
            raise IdempotentReplay(stored.response_status, stored.response_body)
        self.key = key

    async def respond(self, status: int, data: Any) -> JSONResponse:
        """Wrap ``data`` in the success envelope; store it under the claimed key (same transaction)."""
        body = jsonable_encoder(ok(data))
        if self.key is not None:
            await self.session.execute(
                insert(IdempotencyRecord).values(
                    scope=self.scope,
                    key=self.key,
                    method=self.method,
                    path=self.path,
                    request_hash=self.fingerprint,
                    response_status=status,
                    response_body=body,
                )
            )
        return JSONResponse(status_code=status, content=body)


async def _idempotency(
    request: Request,
    session: SessionDep,
    principal: OptionalPrincipal,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Idempotency:
    body = await request.body()
    scope = principal.user_id if principal is not None else "anon"
    handle = Idempotency(session, scope, request.method, request.url.path, _fingerprint(request.method, request.url.path, body))
    await handle.claim(idempotency_key)
    return handle


IdempotencyDep = Annotated[Idempotency, Depends(_idempotency)]
"""Inject into a POST route; honours the ``Idempotency-Key`` header."""


def replay_response(exc: IdempotentReplay) -> JSONResponse:
    """The stored response, marked with ``Idempotent-Replayed: true``."""
    return JSONResponse(status_code=exc.status, content=exc.body, headers={"Idempotent-Replayed": "true"})
