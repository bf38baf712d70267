"""ASGI middleware: request id, access log and body-size limit.

Every response carries ``X-Request-ID`` (taken from the request header when it
is a sane token, generated otherwise); JSON logs carry it as ``requestId``.
Bodies larger than ``MAX_BODY_BYTES`` are refused with 413 before they reach a route.
"""

from __future__ import annotations

import re
import time

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from taquilla.core.context import new_request_id, set_request_id
from taquilla.core.errors import PayloadTooLarge, error_response

log = structlog.get_logger("taquilla.access")
_SANE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


class RequestContextMiddleware:
    """Binds the request id, enforces the body limit and writes one access-log line per request."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if _SANE_ID.match(incoming) else new_request_id()
        set_request_id(rid)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(requestId=rid)
        started = time.perf_counter()
        status_holder = {"status": 500}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                raw = list(message.get("headers", []))
                raw.append((b"x-request-id", rid.encode("latin-1")))
                message["headers"] = raw
            await send(message)

        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            response = error_response(413, "PAYLOAD_TOO_LARGE", f"Body exceeds {self.max_body_bytes} bytes.")
            await response(scope, receive, send_wrapper)
            self._log(scope, status_holder["status"], started)
            return

        received = 0
        limit = self.max_body_bytes

        async def receive_wrapper() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise PayloadTooLarge(f"Body exceeds {limit} bytes.")
            return message

        try:
            await self.app(scope, receive_wrapper, send_wrapper)
        finally:
            self._log(scope, status_holder["status"], started)

    @staticmethod
    def _log(scope: Scope, status: int, started: float) -> None:
        log.info(
            "request",
            method=scope.get("method"),
            path=scope.get("path"),
            status=status,
            durationMs=round((time.perf_counter() - started) * 1000, 2),
        )
