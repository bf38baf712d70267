"""HTTP routes of the identity context: ``/api/v1/auth/*`` (``/api/v1/users`` lives in the network's structure, which also creates a VENDEDOR's vendedor and account)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request

from taquilla.core.db import SessionDep
from taquilla.core.errors import NotFound, error_response
from taquilla.core.ratelimit import attempt_limiter, client_address
from taquilla.core.responses import Envelope, error_responses, ok
from taquilla.core.routing import context_router
from taquilla.core.security import CurrentPrincipal
from taquilla.identity import repository, service
from taquilla.identity.events import bind_session_info
from taquilla.identity.models import User
from taquilla.identity.schemas import (
    LoginIn,
    LogoutIn,
    RefreshIn,
    TokenOut,
    UserOut,
    UserSettings,
)

router = context_router(prefix="/api/v1", tags=["auth"])


def user_out(user: User, banca_id: str | None = None) -> UserOut:
    """API shape of ``user`` (``banca_id``: the banca of its ventana, when the caller knows it)."""
    settings = UserSettings.model_validate(user.settings or {})
    p = settings.print
    return UserOut(
        id=user.id,
        username=user.username,
        name=user.full_name,
        fullName=user.full_name,
        email=user.email,
        code=user.code,
        role=user.role,
        organizerId=user.organizer_id,
        ventanaId=user.ventana_id,
        bancaId=banca_id,
        isActive=user.is_active,
        settings=settings,
        printName=p.name,
        printPhone=p.phone,
        printWidth=p.width,
        printFooter=p.footer,
        printBarcode=p.barcode,
        createdAt=user.created_at,
    )


async def _token_out(session: SessionDep, access: str, expires: Any, refresh: str, user: User) -> TokenOut:
    banca_id = await repository.banca_of_ventana(session, user.ventana_id)
    return TokenOut(accessToken=access, refreshToken=refresh, expiresAt=expires, user=user_out(user, banca_id))


@router.post("/auth/login", response_model=Envelope[TokenOut], responses=error_responses(400, 401, 429))
async def login(body: LoginIn, request: Request, session: SessionDep) -> dict[str, Any]:
    """Exchange username + password for a JWT bearer token and a refresh token.

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
    refresh = await service.issue_refresh_token(session, user)
    return ok(await _token_out(session, token, expires, refresh, user))


@router.post("/auth/refresh", response_model=Envelope[TokenOut], responses=error_responses(400, 401))
async def refresh(body: RefreshIn, request: Request, session: SessionDep) -> Any:
    """Exchange a refresh token for a new access token and the next refresh token (rotation).

    401 ``INVALID_REFRESH_TOKEN`` (unknown, expired, revoked); 401 ``REFRESH_TOKEN_REUSED`` when
    the token was already exchanged: its whole family is revoked, and that revocation commits.
    """
    try:
        access, expires, next_token, user = await service.refresh(session, request.app.state.settings, body.refreshToken)
    except service.RefreshReuse:
        err = service.reuse_error()
        return error_response(err.status, err.code, err.message)  # a returned error commits the revocation
    return ok(await _token_out(session, access, expires, next_token, user))


@router.post("/auth/logout", response_model=Envelope[dict[str, bool]], responses=error_responses(400, 401))
async def logout(principal: CurrentPrincipal, session: SessionDep, body: LogoutIn | None = None) -> Any:
    """Revoke the refresh token's login (or, without a body, every refresh token of the caller)."""
    await service.logout(session, body.refreshToken if body else None, principal.user_id)
    return ok({"loggedOut": True})


@router.get("/auth/me", response_model=Envelope[UserOut], responses=error_responses(401, 404))
async def me(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """The caller's user record with its banca (via its ventana), code and settings."""
    user = await repository.get(session, principal.user_id)
    if user is None:
        raise NotFound("The token's user no longer exists.", code="USER_NOT_FOUND")
    return ok(user_out(user, await repository.banca_of_ventana(session, user.ventana_id)))


def install(app: FastAPI) -> None:
    """Register the loader that token checks read on a cache miss (:func:`repository.load_user_state`)."""
    app.state.user_state_loader = repository.load_user_state


async def on_startup(app: FastAPI) -> None:
    """Let request sessions publish user changes to Redis at commit (:mod:`taquilla.identity.events`)."""
    bind_session_info(app.state.sessionmaker, app.state.redis, app.state.settings.user_state_cache_seconds)
