"""The back office (SQLAdmin) at ``/admin``: manage the box office catalog and look at tickets.

Only ADMIN users log in (same users and passwords as the API). The session cookie is
signed (itsdangerous) with ``JWT_SECRET`` and lasts ``JWT_TTL_MINUTES``. Catalog changes
made here outdate the cached event details after they are saved.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqladmin import Admin, ModelView
from sqladmin.authentication import AuthenticationBackend
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request

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
from taquilla.core.security import Role, verify_password


def _main_app(request: Request) -> Any:
    """The API application (``request.app`` is SQLAdmin's mounted sub-application)."""
    return request.app.state.main_app


class AdminAuth(AuthenticationBackend):
    """Username/password login of ADMIN users; the session keeps the user id and name."""

    async def login(self, request: Request) -> bool:
        from taquilla.identity import repository as users

        form = await request.form()
        username, password = str(form.get("username", "")), str(form.get("password", ""))
        async with _main_app(request).state.sessionmaker() as session:
            user = await users.get_by_username(session, username)
        if user is None or not user.is_active or user.role != Role.ADMIN.value or not verify_password(password, user.password_hash):
            return False
        request.session.update({"user_id": user.id, "username": user.username})
        return True

    async def logout(self, request: Request) -> bool:
        request.session.clear()
        return True

    async def authenticate(self, request: Request) -> bool:
        return bool(request.session.get("user_id"))


class _CatalogView(ModelView):
    """Catalog views: saving or deleting outdates the cached event details."""

    form_excluded_columns = ["created_at", "updated_at"]
    page_size = 50

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


class PresentationAdmin(_CatalogView, model=Presentation):
    name_plural = "Presentations"
    icon = "fa-solid fa-masks-theater"
    column_list = [Presentation.id, Presentation.title, Presentation.performer_name, Presentation.organizer, Presentation.location]
    column_searchable_list = [Presentation.title, Presentation.performer_name]


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


class PresentationSectionItemAdmin(_CatalogView, model=PresentationSectionItem):
    name = "Zone item"
    name_plural = "Zone items"
    icon = "fa-solid fa-link"
    column_list = [PresentationSectionItem.id, PresentationSectionItem.presentation_section, PresentationSectionItem.location_section]


class EventAdmin(_CatalogView, model=Event):
    name_plural = "Events"
    icon = "fa-solid fa-calendar"
    column_list = [Event.id, Event.title, Event.start_at, Event.status, Event.type, Event.presentation]
    column_searchable_list = [Event.title]
    column_sortable_list = [Event.start_at, Event.title]
    form_excluded_columns = ["created_at", "updated_at"]


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


VIEWS = (
    LocationAdmin,
    LocationSectionAdmin,
    PresentationAdmin,
    PresentationSectionAdmin,
    PresentationSectionItemAdmin,
    EventAdmin,
    TicketAdmin,
    TicketDetailAdmin,
)


def install_admin(app: FastAPI) -> Admin:
    """Mount SQLAdmin at ``/admin``; its sessionmaker is bound to the engine in :func:`bind_admin`."""
    settings = app.state.settings
    maker = async_sessionmaker(class_=AsyncSession, expire_on_commit=False)
    auth = AdminAuth(secret_key=settings.jwt_secret, max_age=settings.jwt_ttl_minutes * 60, same_site="strict", https_only=False)
    admin = Admin(app, session_maker=maker, base_url="/admin", title="Taquilla back office", authentication_backend=auth)
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
