"""Routes of the network's people: ``/api/v1/users`` and ``…/{id}/commission-policy`` of users, ventanas, bancas.

HTTP only: the role is a route dependency, rules are in :mod:`.service`.
"""

from __future__ import annotations

from typing import Any, Literal

from taquilla.core.db import SessionDep
from taquilla.core.pagination import PageDep
from taquilla.core.responses import Envelope, ListEnvelope, created, ok, ok_page
from taquilla.core.routing import context_router
from taquilla.identity.models import User
from taquilla.identity.router import user_out
from taquilla.identity.schemas import UserOut
from taquilla.network.auth import AdminOnly, ListeroOrAdmin, NetworkScopeDep
from taquilla.network.common import R_READ, R_WRITE, IdPath, IdQuery, Search
from taquilla.network.people import service
from taquilla.network.people.schemas import UserCreateIn, UserPatch
from taquilla.network.schemas import CommissionPolicyJson, InModel

router = context_router(prefix="/api/v1", tags=["sales network: people"])


# ---- users (the front end's /users) -----------------------------------------------------------------------


def _user(pair: tuple[User, str | None]) -> UserOut:
    user, banca_id = pair
    return user_out(user, banca_id)


@router.post("/users", status_code=201, response_model=Envelope[UserOut], responses=R_WRITE)
async def create_user(body: UserCreateIn, scope: ListeroOrAdmin, session: SessionDep) -> Any:
    """Create a user: ADMIN any role; a listero VENDEDOR users of its ventana (with vendedor and account)."""
    return created(_user(await service.create_network_user(session, scope, body)))


@router.get("/users", response_model=ListEnvelope[UserOut], responses=R_READ)
async def list_users(
    scope: ListeroOrAdmin,
    session: SessionDep,
    page: PageDep,
    role: Literal["ADMIN", "VENTANA", "VENDEDOR", "ORGANIZER"] | None = None,
    ventanaId: IdQuery = None,
    isActive: bool | None = None,
    search: Search = None,
) -> Any:
    """Users by username (ADMIN all; a listero the VENDEDOR users of its ventana)."""
    total, rows = await service.list_network_users(
        session, scope, role=role, ventana_id=ventanaId, is_active=isActive, search=search, page=page
    )
    return ok_page([user_out(u) for u in rows], page, total)


@router.get("/users/{user_id}", response_model=Envelope[UserOut], responses=R_READ)
async def get_user(user_id: IdPath, scope: NetworkScopeDep, session: SessionDep) -> Any:
    """One user in the caller's reach (itself; a listero its vendedores; ADMIN all)."""
    return ok(_user(await service.get_network_user(session, scope, user_id)))


@router.patch("/users/{user_id}", response_model=Envelope[UserOut], responses=R_WRITE)
async def patch_user(user_id: IdPath, body: UserPatch, scope: NetworkScopeDep, session: SessionDep) -> Any:
    """Change a user (see :func:`service.update_network_user` for who may change what)."""
    return ok(_user(await service.update_network_user(session, scope, user_id, body)))


# ---- commission policies (the front end's shape, versioned) --------------------------------------------

_KINDS = {"users": "user", "ventanas": "ventana", "bancas": "banca"}


class CommissionPolicyBody(InModel):
    """``PUT …/commission-policy`` body: ``{commissionPolicyJson: {...}}`` (a malformed policy → 400)."""

    commissionPolicyJson: CommissionPolicyJson


def _policy_routes(collection: str) -> None:
    kind = _KINDS[collection]

    @router.get(f"/{collection}/{{holder_id}}/commission-policy", response_model=Envelope[dict[str, Any]], responses=R_READ,
                name=f"get_{kind}_commission_policy")
    async def get_policy(holder_id: IdPath, scope: ListeroOrAdmin, session: SessionDep) -> Any:
        """The newest policy version and the version history (ADMIN; a listero for its ventana and vendedores)."""
        return ok(await service.get_commission_policy(session, scope, kind, holder_id))

    @router.put(f"/{collection}/{{holder_id}}/commission-policy", response_model=Envelope[dict[str, Any]], responses=R_WRITE,
                name=f"put_{kind}_commission_policy")
    async def put_policy(holder_id: IdPath, body: CommissionPolicyBody, _: AdminOnly, session: SessionDep) -> Any:
        """Add a policy version with its validity window (ADMIN); sales at or after ``effectiveFrom`` use it."""
        return ok(await service.put_commission_policy(session, kind, holder_id, body.commissionPolicyJson))


for _collection in _KINDS:
    _policy_routes(_collection)
