"""ASGI middleware: request id, access log, body-size limit, NUL guard and security headers.

* Every response carries ``X-Request-ID`` (taken from the request header when it is a
  sane token, generated otherwise); JSON logs carry it as ``requestId``.
* Bodies larger than ``MAX_BODY_BYTES`` are refused with 413 before they reach a route.
* U+0000 (NUL) is refused with 400 ``NUL_CHARACTER`` at the edge — in the path, the query
  string and the body (a raw byte, a JSON ``\\u0000`` escape, a form's ``%00``) — because
  PostgreSQL text cannot hold it: it used to reach the database and answer 500.
* :class:`SecurityHeadersMiddleware` adds the security headers (built with the ``secure``
  library) and, behind HTTPS, HSTS and the ``Secure`` cookie flag.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable

import secure
import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from taquilla.core.context import new_request_id, set_request_id
from taquilla.core.errors import error_response

log = structlog.get_logger("taquilla.access")
_SANE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_JSON_NUL = b"\\u0000"


def json_has_nul(body: bytes) -> bool:
    """True when ``body`` (JSON text) holds a NUL: a raw 0x00 or a ``\\u0000`` escape not itself escaped."""
    if b"\x00" in body:
        return True
    at = body.find(_JSON_NUL)
    while at != -1:
        backslashes = 0
        while at - backslashes - 1 >= 0 and body[at - backslashes - 1] == 0x5C:
            backslashes += 1
        if backslashes % 2 == 0:  # "\\u0000" is a backslash then the text u0000, not a NUL
            return True
        at = body.find(_JSON_NUL, at + 1)
    return False


def _nul_where(scope: Scope, headers: dict[bytes, bytes]) -> str | None:
    """Where the request line holds a NUL (``"path"``/``"query string"``), else None."""
    raw_path = scope.get("raw_path") or b""
    if "\x00" in scope.get("path", "") or b"%00" in raw_path:
        return "path"
    query = scope.get("query_string") or b""
    if b"%00" in query or b"\x00" in query:
        return "query string"
    return None


def _body_has_nul(body: bytes, content_type: bytes) -> bool:
    ctype = content_type.lower()
    if b"x-www-form-urlencoded" in ctype:
        return b"%00" in body or b"\x00" in body
    if b"multipart/" in ctype:
        return b"\x00" in body
    return json_has_nul(body)  # JSON (or a body sent without a content type)


class RequestContextMiddleware:
    """Binds the request id, enforces the body limit and the NUL guard, writes one access-log line per request.

    With ``security`` (a :class:`SecurityHeadersMiddleware`'s policy, see :func:`edge_middleware`) it also
    adds the security headers in the same pass — one ASGI layer and one ``send`` wrapper instead of two
    (issue 13: the per-request framework cost). The response headers are the same either way.
    """

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, security: SecurityHeadersMiddleware | None = None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.security = security

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
        rid_header = (b"x-request-id", rid.encode("latin-1"))
        security = self.security
        policy = security.policy_for(scope) if security is not None else None

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                raw = list(message.get("headers", []))
                raw.append(rid_header)
                message["headers"] = raw if policy is None else policy.apply(raw)
            await send(message)

        async def refuse(status: int, code: str, message: str) -> None:
            await error_response(status, code, message)(scope, receive, send_wrapper)
            self._log(scope, status_holder["status"], started)

        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            await refuse(413, "PAYLOAD_TOO_LARGE", f"Body exceeds {self.max_body_bytes} bytes.")
            return
        where = _nul_where(scope, headers)
        if where is not None:
            await refuse(400, "NUL_CHARACTER", f"The {where} holds U+0000 (NUL), which is not allowed.")
            return

        app_receive = receive
        if scope.get("method") in _BODY_METHODS:
            # Read the (bounded) body once, check it, then hand the route the same bytes.
            chunks: list[bytes] = []
            size = 0
            while True:
                message = await receive()
                if message["type"] != "http.request":  # the client went away
                    self._log(scope, 499, started)
                    return
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self.max_body_bytes:
                    await refuse(413, "PAYLOAD_TOO_LARGE", f"Body exceeds {self.max_body_bytes} bytes.")
                    return
                chunks.append(chunk)
                if not message.get("more_body", False):
                    break
            body = b"".join(chunks)
            if body and _body_has_nul(body, headers.get(b"content-type", b"")):
                await refuse(400, "NUL_CHARACTER", "The body holds U+0000 (NUL), which is not allowed in any value.")
                return
            replayed = False

            async def app_receive() -> Message:
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

        try:
            await self.app(scope, app_receive, send_wrapper)
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


def _encoded(s: secure.Secure) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode("ascii"), value.encode("latin-1")) for name, value in s.headers.items()]


class SecurityHeadersMiddleware:
    """Security headers on every response, chosen by path.

    * API (JSON): ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``,
      ``X-Frame-Options: DENY`` and ``Content-Security-Policy: default-src 'none'; frame-ancestors 'none'``.
    * Back office (``admin_prefix``): the same with a CSP for its pages (scripts and styles from
      itself, inline scripts only by hash, no framing, forms post only to itself).
    * ``/docs``/``/redoc``: no CSP (Swagger UI and ReDoc load from a CDN), the other headers kept.
    * Behind HTTPS (``scope["scheme"] == "https"``; run uvicorn with ``--proxy-headers`` behind a
      proxy): ``Strict-Transport-Security`` and ``Secure`` on every ``Set-Cookie``
      (``SECURE_COOKIES=auto``; ``always`` flags cookies on plain HTTP too, ``never`` not at all).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        hsts_max_age_seconds: int = 31_536_000,
        secure_cookies: str = "auto",
        admin_prefix: str = "/admin",
        admin_script_hashes: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.admin_prefix = admin_prefix
        self.secure_cookies = secure_cookies
        xcto = secure.XContentTypeOptions()
        deny = secure.XFrameOptions().deny()
        self.api = _encoded(
            secure.Secure(
                xcto=xcto,
                xfo=deny,
                referrer=secure.ReferrerPolicy().no_referrer(),
                csp=secure.ContentSecurityPolicy().default_src("'none'").frame_ancestors("'none'"),
            )
        )
        admin_csp = (
            secure.ContentSecurityPolicy()
            .default_src("'self'")
            .script_src("'self'", *(f"'{h}'" for h in admin_script_hashes))
            .style_src("'self'", "'unsafe-inline'")
            .img_src("'self'", "data:")
            .font_src("'self'", "data:")
            .object_src("'none'")
            .base_uri("'self'")
            .form_action("'self'")
            .frame_ancestors("'none'")
        )
        self.admin = _encoded(
            secure.Secure(xcto=xcto, xfo=deny, referrer=secure.ReferrerPolicy().same_origin(), csp=admin_csp)
        )
        self.docs = _encoded(secure.Secure(xcto=xcto, xfo=deny, referrer=secure.ReferrerPolicy().no_referrer()))
        self.hsts: list[tuple[bytes, bytes]] = []
        if hsts_max_age_seconds > 0:
            hsts = secure.StrictTransportSecurity().max_age(hsts_max_age_seconds).include_subdomains()
            self.hsts = [(b"strict-transport-security", hsts.header_value.encode("latin-1"))]

        # The (headers, names, cookie flag) of each kind of path × scheme, built once.
        self._policies: dict[tuple[str, bool], _HeaderPolicy] = {}
        for kind, headers in (("admin", self.admin), ("docs", self.docs), ("api", self.api)):
            for https in (False, True):
                flag = self.secure_cookies == "always" or (self.secure_cookies == "auto" and https)
                self._policies[(kind, https)] = _HeaderPolicy(headers + (self.hsts if https else []), flag)

    def _headers_for(self, path: str) -> list[tuple[bytes, bytes]]:
        return self._policies[(self._kind(path), False)].extra

    def _kind(self, path: str) -> str:
        if path == self.admin_prefix or path.startswith(self.admin_prefix + "/"):
            return "admin"
        if path.startswith(("/docs", "/redoc")):
            return "docs"
        return "api"

    def policy_for(self, scope: Scope) -> _HeaderPolicy:
        """The headers to set on the response to ``scope`` (by path, and HSTS/cookie flag behind HTTPS)."""
        return self._policies[(self._kind(scope.get("path", "")), scope.get("scheme") == "https")]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self.policy_for(scope)

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = policy.apply(list(message.get("headers", [])))
            await send(message)

        await self.app(scope, receive, send_wrapper)


class _HeaderPolicy:
    """Security headers set on a response: any header of the same name is replaced; cookies flagged ``Secure``."""

    __slots__ = ("extra", "names", "flag_cookies")

    def __init__(self, extra: list[tuple[bytes, bytes]], flag_cookies: bool) -> None:
        self.extra = extra
        self.names = frozenset(name for name, _ in extra)
        self.flag_cookies = flag_cookies

    def apply(self, raw: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        names = self.names
        raw = [(k, v) for k, v in raw if k.lower() not in names]
        if self.flag_cookies:
            raw = [
                (k, v + b"; Secure") if k.lower() == b"set-cookie" and b"secure" not in v.lower() else (k, v)
                for k, v in raw
            ]
        return raw + self.extra


def edge_middleware(
    app: ASGIApp,
    *,
    max_body_bytes: int,
    hsts_max_age_seconds: int = 31_536_000,
    secure_cookies: str = "auto",
    admin_prefix: str = "/admin",
    admin_script_hashes: Iterable[str] = (),
) -> RequestContextMiddleware:
    """Request context + body limit + NUL guard + security headers as one pure-ASGI layer.

    Use with ``app.add_middleware(edge_middleware, …)``; behaves as :class:`SecurityHeadersMiddleware`
    wrapped around :class:`RequestContextMiddleware` (the former stack), refusals (413, NUL) included.
    """
    security = SecurityHeadersMiddleware(
        app,
        hsts_max_age_seconds=hsts_max_age_seconds,
        secure_cookies=secure_cookies,
        admin_prefix=admin_prefix,
        admin_script_hashes=admin_script_hashes,
    )
    return RequestContextMiddleware(app, max_body_bytes=max_body_bytes, security=security)
