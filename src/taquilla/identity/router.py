"""HTTP routes of the identity context: ``/api/v1/auth/*`` and ``/api/v1/users``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request

from taquilla.core.db import SessionDep
from taquilla.core.errors import NotFound
from taquilla.core.pagination import PageDep
from taquilla.core.ratelimit import attempt_limiter, client_address
from taquilla.core.responses import (
    Envelope,
    created,
    error_responses,
    ok,
    ok_page,
)
from taquilla.core.routing import context_router
from taquilla.core.security import AdminPrincipal, CurrentPrincipal
from taquilla.identity import repository, service
from taquilla.identity.events import bind_session_info
from taquilla.identity.models import User
from taquilla.identity.schemas import LoginIn, TokenOut, UserCreateIn, UserOut

router = context_router(prefix="/api/v1", tags=["auth"])


def user_out(user: User) -> UserOut:
    """API shape of ``user``."""
    return UserOut(
        id=user.id,
        username=user.username,
        fullName=user.full_name,
        role=user.role,
        organizerId=user.organizer_id,
        ventanaId=user.ventana_id,
        isActive=user.is_active,
        createdAt=user.created_at,
    )


@router.post("/auth/login", response_model=Envelope[TokenOut], responses=error_responses(400, 401, 429))
async def login(body: LoginIn, request: Request, session: SessionDep) -> dict[str, Any]:
    """Exchange username + password for a JWT bearer token.

    Failed attempts are limited per username and per client address (429 ``RATE_LIMITED``
    with ``Retry-After`` until the window passes, even for the right password).
    """
    token, expires, user = await service.login(
        session,
        request.app.state.settings,
        attempt_limiter(request.app),
        body.username,
        body.password,
        client_address(request),
    )
    return ok(TokenOut(accessToken=token, expiresAt=expires, user=user_out(user)))


@router.get("/auth/me", response_model=Envelope[UserOut], responses=error_responses(401, 404))
async def me(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """The caller's user record."""
    user = await repository.get(session, principal.user_id)
    if user is None:
        raise NotFound("The token's user no longer exists.", code="USER_NOT_FOUND")
    return ok(user_out(user))


@router.post("/users", status_code=201, response_model=Envelope[UserOut], responses=error_responses(400, 401, 403, 404, 409))
async def create_user(body: UserCreateIn, _: AdminPrincipal, session: SessionDep) -> dict[str, Any]:
    """Create a user (ADMIN). An ``organizerId``/``ventanaId`` that names nothing → 404, nothing written."""
    user = await service.create_user(
        session,
        username=body.username,
        password=body.password,
        role=body.role,
        full_name=body.fullName,
        organizer_id=body.organizerId,
        ventana_id=body.ventanaId,
    )
    return created(user_out(user))


@router.get("/users", responses=error_responses(400, 401, 403))
async def list_users(_: AdminPrincipal, session: SessionDep, page: PageDep) -> dict[str, Any]:
    """Users, by username (ADMIN)."""
    total, rows = await repository.list_page(session, page.offset, page.limit)
    return ok_page([user_out(u) for u in rows], page, total)


def install(app: FastAPI) -> None:
    """Register the loader that token checks read on a cache miss (:func:`repository.load_user_state`)."""
    app.state.user_state_loader = repository.load_user_state


async def on_startup(app: FastAPI) -> None:
    """Let request sessions publish user changes to Redis at commit (:mod:`taquilla.identity.events`)."""
    bind_session_info(app.state.sessionmaker, app.state.redis, app.state.settings.user_state_cache_seconds)
