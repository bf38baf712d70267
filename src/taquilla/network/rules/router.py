"""Routes of the multipliers catalogue (``/api/v1/multipliers``) and of sale restrictions
(``/api/v1/restrictions``), as the network's front end calls them. HTTP only: rules in :mod:`.service`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from taquilla.core.db import SessionDep
from taquilla.core.pagination import PageDep
from taquilla.core.responses import Envelope, ListEnvelope, created, ok, ok_page
from taquilla.core.routing import context_router
from taquilla.network.auth import AdminOnly, NetworkScopeDep
from taquilla.network.common import R_READ, R_WRITE, IdPath, IdQuery, Search
from taquilla.network.rules import service
from taquilla.network.rules.schemas import (
    MultiplierIn,
    MultiplierOut,
    MultiplierPatch,
    RestrictionIn,
    RestrictionOut,
    RestrictionPatch,
    ToggleIn,
)
from taquilla.network.schemas import BetType

router = context_router(prefix="/api/v1", tags=["sales network: multipliers and restrictions"])
NumberQuery = Annotated[str | None, Query(pattern=r"^\d{1,4}$")]


@router.get("/multipliers", response_model=ListEnvelope[MultiplierOut], responses=R_READ)
async def list_multipliers(
    _: NetworkScopeDep, session: SessionDep, page: PageDep, loteriaId: IdQuery = None,  # noqa: N803
    kind: BetType | None = None, isActive: bool | None = None, search: Search = None,  # noqa: N803
) -> Any:
    """Multipliers (every network role), filtered by lotería, kind, activity and name."""
    total, rows = await service.list_multipliers(
        session, loteria_id=loteriaId, kind=kind, is_active=isActive, search=search, page=page
    )
    return ok_page([MultiplierOut.model_validate(r) for r in rows], page, total)


@router.get("/multipliers/{multiplier_id}", response_model=Envelope[MultiplierOut], responses=R_READ)
async def get_multiplier(multiplier_id: IdPath, _: NetworkScopeDep, session: SessionDep) -> Any:
    return ok(MultiplierOut.model_validate(await service.get_multiplier(session, multiplier_id)))


@router.post("/multipliers", status_code=201, response_model=Envelope[MultiplierOut], responses=R_WRITE)
async def create_multiplier(body: MultiplierIn, _: AdminOnly, session: SessionDep) -> Any:
    """A multiplier of a lotería (ADMIN)."""
    return created(MultiplierOut.model_validate(await service.create_multiplier(session, body)))


@router.patch("/multipliers/{multiplier_id}", response_model=Envelope[MultiplierOut], responses=R_WRITE)
async def patch_multiplier(multiplier_id: IdPath, body: MultiplierPatch, _: AdminOnly, session: SessionDep) -> Any:
    return ok(MultiplierOut.model_validate(await service.update_multiplier(session, multiplier_id, body)))


@router.delete("/multipliers/{multiplier_id}", response_model=Envelope[MultiplierOut], responses=R_WRITE)
async def delete_multiplier(multiplier_id: IdPath, _: AdminOnly, session: SessionDep, body: ToggleIn | None = None) -> Any:
    """Deactivate a multiplier (ADMIN); the client's body ``{isActive}`` sets the flag instead."""
    active = body.isActive if body is not None else False
    return ok(MultiplierOut.model_validate(await service.set_multiplier_active(session, multiplier_id, active)))


@router.get("/restrictions", response_model=ListEnvelope[RestrictionOut], responses=R_READ)
async def list_restrictions(
    scope: NetworkScopeDep, session: SessionDep, page: PageDep,
    bancaId: IdQuery = None, ventanaId: IdQuery = None, userId: IdQuery = None,  # noqa: N803
    number: NumberQuery = None, isActive: bool | None = None, hasCutoff: bool | None = None,  # noqa: N803
    hasAmount: bool | None = None,  # noqa: N803
) -> Any:
    """Restrictions within the caller's reach (ADMIN all; others their banca's, ventana's and users')."""
    total, rows = await service.list_restrictions(
        session, scope, page, banca_id=bancaId, ventana_id=ventanaId, user_id=userId, number=number,
        is_active=isActive, has_cutoff=hasCutoff, has_amount=hasAmount,
    )
    return ok_page([RestrictionOut.model_validate(r) for r in rows], page, total)


@router.get("/restrictions/{rule_id}", response_model=Envelope[RestrictionOut], responses=R_READ)
async def get_restriction(rule_id: IdPath, scope: NetworkScopeDep, session: SessionDep) -> Any:
    return ok(RestrictionOut.model_validate(await service.get_restriction(session, scope, rule_id)))


@router.post("/restrictions", status_code=201, response_model=Envelope[RestrictionOut], responses=R_WRITE)
async def create_restriction(body: RestrictionIn, _: AdminOnly, session: SessionDep) -> Any:
    """A sale restriction by banca, ventana or user (ADMIN)."""
    return created(RestrictionOut.model_validate(await service.create_restriction(session, body)))


@router.patch("/restrictions/{rule_id}", response_model=Envelope[RestrictionOut], responses=R_WRITE)
async def patch_restriction(rule_id: IdPath, body: RestrictionPatch, scope: AdminOnly, session: SessionDep) -> Any:
    return ok(RestrictionOut.model_validate(await service.update_restriction(session, scope, rule_id, body)))


@router.delete("/restrictions/{rule_id}", response_model=Envelope[RestrictionOut], responses=R_WRITE)
async def delete_restriction(rule_id: IdPath, scope: AdminOnly, session: SessionDep) -> Any:
    """Deactivate a restriction (ADMIN); it stays listed and can be restored."""
    return ok(RestrictionOut.model_validate(await service.set_restriction_active(session, scope, rule_id, False)))


@router.patch("/restrictions/{rule_id}/restore", response_model=Envelope[RestrictionOut], responses=R_WRITE)
async def restore_restriction(rule_id: IdPath, scope: AdminOnly, session: SessionDep) -> Any:
    return ok(RestrictionOut.model_validate(await service.set_restriction_active(session, scope, rule_id, True)))
