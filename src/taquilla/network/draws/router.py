"""Routes of sorteos: ``/api/v1/sorteos`` and their transitions
(``PATCH /api/v1/sorteos/{id}/open|close|evaluate|revert-evaluation``; POST is kept as an
undocumented alias for earlier clients). HTTP only: rules are in :mod:`.service`.
"""

from __future__ import annotations

from typing import Any

from taquilla.core.db import SessionDep
from taquilla.core.pagination import PageDep
from taquilla.core.responses import Envelope, ListEnvelope, created, ok, ok_page
from taquilla.core.routing import context_router
from taquilla.network.auth import AdminOnly, NetworkScopeDep
from taquilla.network.clock import NowDep, PeriodFilter
from taquilla.network.common import R_READ, R_WRITE, IdPath, IdQuery, Search
from taquilla.network.draws import service
from taquilla.network.draws.schemas import (
    EvaluateIn,
    SorteoIn,
    SorteoOut,
    SorteoPatch,
    SorteoStatus,
)

router = context_router(prefix="/api/v1", tags=["sales network: sorteos"])


def _out(pair: service.SorteoWithLoteria) -> SorteoOut:
    return SorteoOut.of(*pair)


@router.post("/sorteos", status_code=201, response_model=Envelope[SorteoOut], responses=R_WRITE)
async def create_sorteo(body: SorteoIn, _: AdminOnly, session: SessionDep) -> Any:
    """Schedule a sorteo (ADMIN); ``businessDate`` = CR date of ``scheduledAt``."""
    return created(_out(await service.create_sorteo(session, body)))


@router.get("/sorteos", response_model=ListEnvelope[SorteoOut], responses=R_READ)
async def list_sorteos(
    _: NetworkScopeDep,
    session: SessionDep,
    page: PageDep,
    period: PeriodFilter,
    loteriaId: IdQuery = None,
    status: SorteoStatus | None = None,
    search: Search = None,
) -> Any:
    """Sorteos by ``scheduledAt`` (every network role); ``date`` filters by business date, ``search`` the name."""
    total, rows = await service.list_sorteos(
        session, loteria_id=loteriaId, status=status, period=period, page=page, search=search
    )
    return ok_page([_out(r) for r in rows], page, total)


@router.get("/sorteos/{sorteo_id}", response_model=Envelope[SorteoOut], responses=R_READ)
async def get_sorteo(sorteo_id: IdPath, _: NetworkScopeDep, session: SessionDep) -> Any:
    """One sorteo with its cutoff (every network role)."""
    return ok(_out(await service.get_sorteo(session, sorteo_id)))


@router.patch("/sorteos/{sorteo_id}", response_model=Envelope[SorteoOut], responses=R_WRITE)
async def patch_sorteo(sorteo_id: IdPath, body: SorteoPatch, _: AdminOnly, session: SessionDep) -> Any:
    """Rename a sorteo, or reschedule one without tickets (ADMIN)."""
    return ok(_out(await service.update_sorteo(session, sorteo_id, body)))


@router.patch("/sorteos/{sorteo_id}/open", response_model=Envelope[SorteoOut], responses=R_WRITE)
@router.post("/sorteos/{sorteo_id}/open", include_in_schema=False)
async def open_sorteo(sorteo_id: IdPath, _: AdminOnly, session: SessionDep) -> Any:
    """SCHEDULED → OPEN (ADMIN)."""
    return ok(_out(await service.open_sorteo(session, sorteo_id)))


@router.patch("/sorteos/{sorteo_id}/close", response_model=Envelope[SorteoOut], responses=R_WRITE)
@router.post("/sorteos/{sorteo_id}/close", include_in_schema=False)
async def close_sorteo(sorteo_id: IdPath, _: AdminOnly, session: SessionDep) -> Any:
    """EVALUATED → CLOSED (ADMIN)."""
    return ok(_out(await service.close_sorteo(session, sorteo_id)))


@router.patch("/sorteos/{sorteo_id}/evaluate", response_model=Envelope[SorteoOut], responses=R_WRITE)
@router.post("/sorteos/{sorteo_id}/evaluate", include_in_schema=False)
async def evaluate_sorteo(sorteo_id: IdPath, body: EvaluateIn, _: AdminOnly, session: SessionDep, now: NowDep) -> Any:
    """OPEN → EVALUATED at or after ``scheduledAt`` with ``winningNumber`` and ``extraMultiplierId`` (a REVENTADO multiplier) (ADMIN)."""
    return ok(_out(await service.evaluate_sorteo(session, sorteo_id, body, now)))


@router.patch("/sorteos/{sorteo_id}/revert-evaluation", response_model=Envelope[SorteoOut], responses=R_WRITE)
@router.post("/sorteos/{sorteo_id}/revert-evaluation", include_in_schema=False)
async def revert_sorteo(sorteo_id: IdPath, _: AdminOnly, session: SessionDep) -> Any:
    """EVALUATED → OPEN while no prize has been paid (ADMIN)."""
    return ok(_out(await service.revert_evaluation(session, sorteo_id)))
