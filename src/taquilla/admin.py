"""The back office (SQLAdmin) at ``/admin``: manage the box office catalog and look at tickets.

Only ADMIN users log in (same users and passwords as the API, same failed-login limits).
Every page re-checks that the session's user still exists and is an active ADMIN whose
token version has not moved (deactivation, role or password change log it out).

The session cookie is signed (itsdangerous) with ``JWT_SECRET``, lasts ``JWT_TTL_MINUTES``,
is ``HttpOnly`` and ``SameSite=Lax``, and ``Secure`` behind HTTPS (``SECURE_COOKIES``).
Every form and every non-GET request carries a CSRF token kept in the session
(:class:`AdminCsrfMiddleware`); without it the request is refused with 403.

Money and inventory fields (capacity, seat ranges, prices, currency, event status and
type, which venue or show a record belongs to) are set when a record is created and are
read-only on edit; records are not deleted here. Those changes go through the API, whose
services keep the rules (a capacity below the places sold is refused). Catalog changes
made here outdate the cached event details after they are saved.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from importlib.resources import files
from pathlib import Path
from typing import Any, ClassVar

from fastapi import FastAPI
from markupsafe import Markup
from sqladmin import Admin, ModelView
from sqladmin.authentication import AuthenticationBackend
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from taquilla.boxoffice import cache
from taquilla.boxoffice.models import (
    Event,
    Location,
    LocationSection,
    Presentation,
    PresentationSection,
    PresentationSectionItem,
    Ticket,
    TicketDetail,
)
from taquilla.core.errors import TooManyRequests
from taquilla.core.ratelimit import attempt_limiter, client_address
from taquilla.core.security import Role, current_user_state
from taquilla.network.models import Mayorization

CSRF_SESSION_KEY = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_TEMPLATES = Path(__file__).parent / "admin_templates"

CSRF_SCRIPT = (
    "(function () {"
    " var token = document.querySelector('meta[name=\"csrf-token\"]').getAttribute('content');"
    " var send = window.fetch;"
    " window.fetch = function (input, init) {"
    "  init = init || {}; var method = (init.method || 'GET').toUpperCase();"
    "  if (method !== 'GET' && method !== 'HEAD') { var h = new Headers(init.headers || {}); h.set('X-CSRF-Token', token); init.headers = h; }"
    "  return send.call(this, input, init); };"
    " document.addEventListener('DOMContentLoaded', function () {"
    "  if (window.jQuery) { window.jQuery.ajaxSetup({headers: {'X-CSRF-Token': token}}); }"
    "  document.querySelectorAll('form').forEach(function (form) {"
    "   if ((form.getAttribute('method') || 'GET').toUpperCase() !== 'POST' || form.querySelector('input[name=csrf_token]')) { return; }"
    "   var input = document.createElement('input'); input.type = 'hidden'; input.name = 'csrf_token'; input.value = token;"
    "   form.appendChild(input); }); });"
    "})();"
)
"""Sends the page's CSRF token: a hidden field in every POST form, a header on scripted requests."""


def _script_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def admin_script_hashes() -> list[str]:
    """CSP hashes of the back office's inline scripts: ours and SQLAdmin's flash-message script."""
    hashes = [_script_hash(CSRF_SCRIPT)]
    try:
        flash = (files("sqladmin") / "templates" / "sqladmin" / "flash.html").read_text()
        hashes += [_script_hash(m) for m in re.findall(r"<script>(.*?)</script>", flash, re.S)]
    except OSError:  # an SQLAdmin without that template: nothing to allow
        pass
    return hashes


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use; templates put it in ``<meta name="csrf-token">``)."""
    token = request.session.get(CSRF_SESSION_KEY)
    if not token:
        token = request.session[CSRF_SESSION_KEY] = secrets.token_urlsafe(32)
    return token


class AdminCsrfMiddleware:
    """Refuses (403) every non-GET back-office request whose CSRF token does not match the session's.

    The token comes from the ``X-CSRF-Token`` header or the ``csrf_token`` form field. Runs
    inside the session middleware; the body is read once and handed on unchanged.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in _SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        expected = (scope.get("session") or {}).get(CSRF_SESSION_KEY)
        sent = Headers(scope=scope).get(CSRF_HEADER)
        if sent is None and body:
            async with Request(scope, replay).form() as form:
                value = form.get(CSRF_FIELD)
                sent = value if isinstance(value, str) else None
            replayed = False
        if not expected or not sent or not hmac.compare_digest(str(expected), sent):
            await PlainTextResponse("CSRF token missing or invalid; reload the page and try again.", 403)(scope, replay, send)
            return
        await self.app(scope, replay, send)


def _main_app(request: Request) -> Any:
    """The API application (``request.app`` is SQLAdmin's mounted sub-application)."""
    return request.app.state.main_app


class AdminAuth(AuthenticationBackend):
    """Username/password login of ADMIN users; the session keeps the user id, name and token version."""

    def __init__(self, secret_key: str, **session_kwargs: Any) -> None:
        super().__init__(secret_key, **session_kwargs)
        self.middlewares.append(Middleware(AdminCsrfMiddleware))  # inside the session middleware

    async def login(self, request: Request) -> bool:
        from taquilla.identity.service import check_credentials

        form = await request.form()
        username, password = str(form.get("username", "")), str(form.get("password", ""))
        app = _main_app(request)
        try:
            async with app.state.sessionmaker() as session:
                user = await check_credentials(
                    session, app.state.settings, attempt_limiter(app), username, password, client_address(request)
                )
        except TooManyRequests:
            return False
        if user is None or user.role != Role.ADMIN.value:
            return False
        request.session.update(
            {"user_id": user.id, "username": user.username, "ver": user.token_version or 0,
             CSRF_SESSION_KEY: secrets.token_urlsafe(32)}
        )
        return True

    async def logout(self, request: Request) -> bool:
        request.session.clear()
        return True

    async def authenticate(self, request: Request) -> bool:
        """True while the session's user exists, is active, is ADMIN and has the version it logged in with."""
        user_id = request.session.get("user_id")
        if not user_id:
            return False
        state = await current_user_state(_main_app(request), str(user_id))
        if state is None or not state.active or state.role != Role.ADMIN.value or state.version != request.session.get("ver"):
            for key in ("user_id", "username", "ver"):
                request.session.pop(key, None)
            return False
        return True


class _CatalogView(ModelView):
    """Catalog views: saving outdates the cached event details.

    ``read_only_on_edit`` names the money and inventory fields: set on create, absent from
    the edit form and dropped from any edit that still sends them. No deletes here (the API's
    delete routes check for sales).
    """

    form_excluded_columns = ["created_at", "updated_at"]
    page_size = 50
    can_delete = False
    read_only_on_edit: ClassVar[tuple[str, ...]] = ()

    async def on_model_change(self, data: dict, model: Any, is_created: bool, request: Request) -> None:
        if not is_created:
            for name in self.read_only_on_edit:
                data.pop(name, None)

    async def after_model_change(self, data: dict, model: Any, is_created: bool, request: Request) -> None:
        await cache.invalidate_catalog(_main_app(request).state.redis)

    async def after_model_delete(self, model: Any, request: Request) -> None:
        await cache.invalidate_catalog(_main_app(request).state.redis)


class LocationAdmin(_CatalogView, model=Location):
    name_plural = "Locations"
    icon = "fa-solid fa-building"
    column_list = [Location.id, Location.name, Location.city, Location.address]
    column_searchable_list = [Location.name, Location.city]
    column_sortable_list = [Location.name]


class LocationSectionAdmin(_CatalogView, model=LocationSection):
    name_plural = "Location sections"
    icon = "fa-solid fa-chair"
    column_list = [
        LocationSection.id,
        LocationSection.location,
        LocationSection.name,
        LocationSection.capacity,
        LocationSection.index_prefix,
        LocationSection.index_from,
        LocationSection.index_to,
        LocationSection.sort,
    ]
    column_searchable_list = [LocationSection.name]
    read_only_on_edit = ("location", "location_id", "capacity", "index_prefix", "index_from", "index_to")
    form_edit_rules = ["name", "sort"]


class PresentationAdmin(_CatalogView, model=Presentation):
    name_plural = "Presentations"
    icon = "fa-solid fa-masks-theater"
    column_list = [Presentation.id, Presentation.title, Presentation.performer_name, Presentation.organizer, Presentation.location]
    column_searchable_list = [Presentation.title, Presentation.performer_name]
    read_only_on_edit = ("location", "location_id")
    form_edit_rules = ["title", "description", "performer_name", "organizer"]


class PresentationSectionAdmin(_CatalogView, model=PresentationSection):
    name = "Price zone"
    name_plural = "Price zones"
    icon = "fa-solid fa-tags"
    column_list = [
        PresentationSection.id,
        PresentationSection.presentation,
        PresentationSection.name,
        PresentationSection.price_cents,
        PresentationSection.currency,
    ]
    column_labels = {PresentationSection.price_cents: "Price (cents)"}
    read_only_on_edit = ("presentation", "presentation_id", "price_cents", "currency")
    form_edit_rules = ["name", "sort"]


class PresentationSectionItemAdmin(_CatalogView, model=PresentationSectionItem):
    name = "Zone item"
    name_plural = "Zone items"
    icon = "fa-solid fa-link"
    column_list = [PresentationSectionItem.id, PresentationSectionItem.presentation_section, PresentationSectionItem.location_section]
    can_edit = False  # which places a zone sells is inventory: create only


class EventAdmin(_CatalogView, model=Event):
    name_plural = "Events"
    icon = "fa-solid fa-calendar"
    column_list = [Event.id, Event.title, Event.start_at, Event.status, Event.type, Event.presentation]
    column_searchable_list = [Event.title]
    column_sortable_list = [Event.start_at, Event.title]
    form_excluded_columns = ["created_at", "updated_at"]
    read_only_on_edit = ("status", "type", "presentation", "presentation_id")
    form_edit_rules = ["title", "start_at", "description"]


class TicketAdmin(ModelView, model=Ticket):
    """Tickets are read-only here: sales and cancellations go through the API's rules."""

    name_plural = "Tickets"
    icon = "fa-solid fa-ticket"
    can_create = can_edit = can_delete = False
    column_list = [Ticket.id, Ticket.event_id, Ticket.customer_document, Ticket.customer_name, Ticket.total_cents, Ticket.currency, Ticket.status, Ticket.created_at]
    column_searchable_list = [Ticket.customer_document, Ticket.customer_name, Ticket.id]
    column_sortable_list = [Ticket.created_at]
    column_default_sort = [(Ticket.created_at, True)]


class TicketDetailAdmin(ModelView, model=TicketDetail):
    name_plural = "Ticket lines"
    icon = "fa-solid fa-list"
    can_create = can_edit = can_delete = False
    column_list = [
        TicketDetail.id,
        TicketDetail.ticket_id,
        TicketDetail.event_id,
        TicketDetail.location_section_id,
        TicketDetail.seat_code,
        TicketDetail.price_cents,
        TicketDetail.cancelled,
    ]
    column_searchable_list = [TicketDetail.ticket_id, TicketDetail.seat_code]


class MayorizationAdmin(ModelView, model=Mayorization):
    """Sales network period closings and their settlements (seeds 002/003), read-only: calculate and
    settle go through the API, whose service writes the ADJUSTMENT movement in the same transaction."""

    name = "Mayorization"
    name_plural = "Mayorizations"
    icon = "fa-solid fa-scale-balanced"
    can_create = can_edit = can_delete = False
    column_list = [
        Mayorization.id, Mayorization.owner_type, Mayorization.owner_id, Mayorization.from_date, Mayorization.to_date,
        Mayorization.net_operative_cents, Mayorization.debt_status, Mayorization.debt_amount_cents, Mayorization.status,
        Mayorization.settled_date, Mayorization.settlement_type, Mayorization.settlement_ref, Mayorization.settled_by,
    ]
    column_labels = {Mayorization.net_operative_cents: "Net operative (cents)", Mayorization.debt_amount_cents: "Debt (cents)"}
    column_searchable_list = [Mayorization.id, Mayorization.owner_id, Mayorization.settlement_ref]
    column_sortable_list = [Mayorization.to_date, Mayorization.debt_amount_cents, Mayorization.created_at]
    column_default_sort = [(Mayorization.to_date, True)]


VIEWS = (
    LocationAdmin,
    LocationSectionAdmin,
    PresentationAdmin,
    PresentationSectionAdmin,
    PresentationSectionItemAdmin,
    EventAdmin,
    TicketAdmin,
    TicketDetailAdmin,
    MayorizationAdmin,
)


def install_admin(app: FastAPI) -> Admin:
    """Mount SQLAdmin at ``/admin``; its sessionmaker is bound to the engine in :func:`bind_admin`."""
    settings = app.state.settings
    maker = async_sessionmaker(class_=AsyncSession, expire_on_commit=False)
    auth = AdminAuth(
        secret_key=settings.jwt_secret,
        max_age=settings.jwt_ttl_minutes * 60,
        same_site="lax",
        https_only=settings.secure_cookies == "always",  # "auto": flagged per request behind HTTPS (SecurityHeadersMiddleware)
    )
    admin = Admin(
        app,
        session_maker=maker,
        base_url="/admin",
        title="Taquilla back office",
        authentication_backend=auth,
        templates_dir=str(_TEMPLATES),
    )
    admin.templates.env.globals["csrf_token"] = csrf_token
    admin.templates.env.globals["csrf_script"] = Markup(CSRF_SCRIPT)
    admin.admin.state.main_app = app
    for view in VIEWS:
        admin.add_view(view)
    app.state.admin_sessionmaker = maker
    return admin


def bind_admin(app: FastAPI) -> None:
    """Point the back office's sessions at the engine created by the lifespan."""
    maker = getattr(app.state, "admin_sessionmaker", None)
    if maker is not None:
        maker.configure(bind=app.state.engine)
