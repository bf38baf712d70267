"""Routes of the network's structure: ``/api/v1/bancas``, ``/ventanas``, ``/vendedores``, ``/loterias``.

HTTP only: the role is a route dependency, rules are in :mod:`.service`.
"""

from __future__ import annotations

from typing import Any

from taquilla.core.db import SessionDep
from taquilla.core.pagination import PageDep
from taquilla.core.responses import Envelope, ListEnvelope, created, ok, ok_page
from taquilla.core.routing import context_router
from taquilla.network.auth import AdminOnly, ListeroOrAdmin, NetworkScopeDep
from taquilla.network.common import R_READ, R_WRITE, IdPath, IdQuery, Search
from taquilla.network.models import Banca, Loteria
from taquilla.network.structure import service
from taquilla.network.structure.schemas import (
    BancaIn,
    BancaOut,
    BancaPatch,
    LoteriaIn,
    LoteriaOut,
    LoteriaPatch,
    VendedorIn,
    VendedorOut,
    VendedorPatch,
    VentanaIn,
    VentanaOut,
    VentanaPatch,
)

router = context_router(prefix="/api/v1", tags=["sales network: structure"])


# ---- bancas (ADMIN) ----------------------------------------------------------------------------------


@router.post("/bancas", status_code=201, response_model=Envelope[BancaOut], responses=R_WRITE)
async def create_banca(body: BancaIn, _: AdminOnly, session: SessionDep) -> Any:
    """Create a banca (ADMIN)."""
    return created(BancaOut.model_validate(await service.create_banca(session, body)))


@router.get("/bancas", response_model=ListEnvelope[BancaOut], responses=R_READ)
async def list_bancas(
    _: AdminOnly, session: SessionDep, page: PageDep, isActive: bool | None = None, search: Search = None
) -> Any:
    """Bancas by code (ADMIN); ``search``: name contains or code equals."""
    total, rows = await service.list_bancas(session, isActive, page, search)
    return ok_page([BancaOut.model_validate(b) for b in rows], page, total)


@router.get("/bancas/{banca_id}", response_model=Envelope[BancaOut], responses=R_READ)
async def get_banca(banca_id: IdPath, _: AdminOnly, session: SessionDep) -> Any:
    """One banca (ADMIN)."""
    return ok(BancaOut.model_validate(await service.need(session, Banca, banca_id, "BANCA_NOT_FOUND")))


@router.patch("/bancas/{banca_id}", response_model=Envelope[BancaOut], responses=R_WRITE)
async def patch_banca(banca_id: IdPath, body: BancaPatch, _: AdminOnly, session: SessionDep) -> Any:
    """Rename, (de)activate or change the default commission policy (ADMIN; future sales only)."""
    return ok(BancaOut.model_validate(await service.update_banca(session, banca_id, body)))


# ---- ventanas -------------------------------------------------------------------------------------------


@router.post("/ventanas", status_code=201, response_model=Envelope[VentanaOut], responses=R_WRITE)
async def create_ventana(body: VentanaIn, _: AdminOnly, session: SessionDep) -> Any:
    """Create a ventana and its account (ADMIN)."""
    return created(VentanaOut.of(await service.create_ventana(session, body)))


@router.get("/ventanas", response_model=ListEnvelope[VentanaOut], responses=R_READ)
async def list_ventanas(
    scope: NetworkScopeDep,
    session: SessionDep,
    page: PageDep,
    bancaId: IdQuery = None,
    isActive: bool | None = None,
    search: Search = None,
) -> Any:
    """Ventanas by code; a listero or vendedor sees only its own."""
    total, rows = await service.list_ventanas(session, scope, banca_id=bancaId, is_active=isActive, search=search, page=page)
    return ok_page([VentanaOut.of(r) for r in rows], page, total)


@router.get("/ventanas/{ventana_id}", response_model=Envelope[VentanaOut], responses=R_READ)
async def get_ventana(ventana_id: IdPath, scope: NetworkScopeDep, session: SessionDep) -> Any:
    """One ventana (404 outside the caller's scope)."""
    return ok(VentanaOut.of(await service.get_ventana(session, scope, ventana_id)))


@router.patch("/ventanas/{ventana_id}", response_model=Envelope[VentanaOut], responses=R_WRITE)
async def patch_ventana(ventana_id: IdPath, body: VentanaPatch, _: AdminOnly, session: SessionDep) -> Any:
    """Rename, (de)activate or change the listero's commission policy (ADMIN; future sales only)."""
    return ok(VentanaOut.of(await service.update_ventana(session, ventana_id, body)))


# ---- vendedores -----------------------------------------------------------------------------------------


@router.post("/vendedores", status_code=201, response_model=Envelope[VendedorOut], responses=R_WRITE)
async def create_vendedor(body: VendedorIn, scope: ListeroOrAdmin, session: SessionDep) -> Any:
    """Create a VENDEDOR user + vendedor + account (ADMIN, or the listero for its own ventana)."""
    return created(VendedorOut.of(await service.create_vendedor(session, scope, body)))


@router.get("/vendedores", response_model=ListEnvelope[VendedorOut], responses=R_READ)
async def list_vendedores(
    scope: NetworkScopeDep,
    session: SessionDep,
    page: PageDep,
    ventanaId: IdQuery = None,
    isActive: bool | None = None,
    search: Search = None,
) -> Any:
    """Vendedores by code, filtered to the caller's scope (403 for another ventana's id)."""
    total, rows = await service.list_vendedores(session, scope, ventana_id=ventanaId, is_active=isActive, search=search, page=page)
    return ok_page([VendedorOut.of(r) for r in rows], page, total)


@router.get("/vendedores/{vendedor_id}", response_model=Envelope[VendedorOut], responses=R_READ)
async def get_vendedor(vendedor_id: IdPath, scope: NetworkScopeDep, session: SessionDep) -> Any:
    """One vendedor (404 outside the caller's scope)."""
    return ok(VendedorOut.of(await service.get_vendedor(session, scope, vendedor_id)))


@router.patch("/vendedores/{vendedor_id}", response_model=Envelope[VendedorOut], responses=R_WRITE)
async def patch_vendedor(vendedor_id: IdPath, body: VendedorPatch, scope: ListeroOrAdmin, session: SessionDep) -> Any:
    """Rename, (de)activate or change the commission policy (ADMIN or its listero; future sales only)."""
    return ok(VendedorOut.of(await service.update_vendedor(session, scope, vendedor_id, body)))


# ---- loterías ------------------------------------------------------------------------------------------


@router.post("/loterias", status_code=201, response_model=Envelope[LoteriaOut], responses=R_WRITE)
async def create_loteria(body: LoteriaIn, _: AdminOnly, session: SessionDep) -> Any:
    """Create a lotería (ADMIN)."""
    return created(LoteriaOut.of(await service.create_loteria(session, body)))


@router.get("/loterias", response_model=ListEnvelope[LoteriaOut], responses=R_READ)
async def list_loterias(
    _: NetworkScopeDep, session: SessionDep, page: PageDep, isActive: bool | None = None, search: Search = None
) -> Any:
    """Loterías by name with their ``rulesJson`` (every network role)."""
    total, rows = await service.list_loterias(session, isActive, page, search)
    return ok_page([LoteriaOut.of(x) for x in rows], page, total)


@router.get("/loterias/{loteria_id}", response_model=Envelope[LoteriaOut], responses=R_READ)
async def get_loteria(loteria_id: IdPath, _: NetworkScopeDep, session: SessionDep) -> Any:
    """One lotería (every network role)."""
    return ok(LoteriaOut.of(await service.need(session, Loteria, loteria_id, "LOTERIA_NOT_FOUND")))


@router.patch("/loterias/{loteria_id}", response_model=Envelope[LoteriaOut], responses=R_WRITE)
async def patch_loteria(loteria_id: IdPath, body: LoteriaPatch, _: AdminOnly, session: SessionDep) -> Any:
    """Change a lotería (ADMIN). Sold jugadas keep their frozen multiplier."""
    return ok(LoteriaOut.of(await service.update_loteria(session, loteria_id, body)))
