"""Queries of the network's structure (bancas, ventanas, vendedores, loterías).

Reads of ventanas and vendedores take the caller's :class:`NetworkScope` and filter by it:
a row outside the scope is not found.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.pagination import PageParams
from taquilla.core.queries import contains, paginate
from taquilla.network.auth import NetworkScope
from taquilla.network.models import Banca, Loteria, Vendedor, Ventana

M = TypeVar("M")


async def add(session: AsyncSession, *rows: Any) -> None:
    """Insert ``rows`` and flush (constraint errors surface here)."""
    session.add_all(rows)
    await session.flush()


async def get(session: AsyncSession, model: type[M], row_id: str) -> M | None:
    """The row of ``model`` with primary key ``row_id``, or None (no scope: ADMIN data or internal use)."""
    return await session.get(model, row_id)


async def code_taken(session: AsyncSession, model: type[Banca | Ventana | Vendedor], code: str) -> bool:
    """True when a banca/ventana/vendedor (``model``) already uses ``code``."""
    return await session.scalar(select(model.id).where(model.code == code)) is not None


async def loteria_name_taken(session: AsyncSession, name: str) -> bool:
    """True when a lotería is already called ``name``."""
    return await session.scalar(select(Loteria.id).where(Loteria.name == name)) is not None


async def ventana_in_scope(session: AsyncSession, scope: NetworkScope, ventana_id: str) -> Ventana | None:
    """The ventana if it exists inside ``scope`` (a listero or vendedor sees only its own)."""
    return await session.scalar(scope.where(select(Ventana).where(Ventana.id == ventana_id), Ventana.id))


async def vendedor_in_scope(session: AsyncSession, scope: NetworkScope, vendedor_id: str) -> Vendedor | None:
    """The vendedor if it exists inside ``scope``."""
    stmt = select(Vendedor).where(Vendedor.id == vendedor_id)
    return await session.scalar(scope.where(stmt, Vendedor.ventana_id, Vendedor.id))


async def bancas_page(
    session: AsyncSession, is_active: bool | None, page: PageParams, search: str | None = None
) -> tuple[int, list[Banca]]:
    """Bancas ordered by code; ``search`` = name contains (escaped) or code equals."""
    stmt = _filtered(select(Banca), Banca, is_active, search)
    return await paginate(session, stmt, page.offset, page.limit, Banca.code)


def _filtered(stmt: Select[Any], model: Any, is_active: bool | None, search: str | None) -> Select[Any]:
    if is_active is not None:
        stmt = stmt.where(model.is_active == is_active)
    if search:
        stmt = stmt.where(contains(model.name, search) | (model.code == search))
    return stmt


async def ventanas_page(
    session: AsyncSession, scope: NetworkScope, *, banca_id: str | None, is_active: bool | None, search: str | None,
    page: PageParams,
) -> tuple[int, list[Ventana]]:
    """Ventanas in ``scope`` ordered by code; ``search`` = name contains (escaped) or code equals."""
    stmt = _filtered(scope.where(select(Ventana), Ventana.id), Ventana, is_active, search)
    if banca_id:
        stmt = stmt.where(Ventana.banca_id == banca_id)
    return await paginate(session, stmt, page.offset, page.limit, Ventana.code)


async def vendedores_page(
    session: AsyncSession, scope: NetworkScope, *, ventana_id: str | None, is_active: bool | None, search: str | None,
    page: PageParams,
) -> tuple[int, list[Vendedor]]:
    """Vendedores in ``scope`` ordered by code."""
    stmt = _filtered(scope.where(select(Vendedor), Vendedor.ventana_id, Vendedor.id), Vendedor, is_active, search)
    if ventana_id:
        stmt = stmt.where(Vendedor.ventana_id == ventana_id)
    return await paginate(session, stmt, page.offset, page.limit, Vendedor.code)


async def loterias_page(
    session: AsyncSession, is_active: bool | None, page: PageParams, search: str | None = None
) -> tuple[int, list[Loteria]]:
    """Loterías ordered by name; ``search`` = name contains (escaped)."""
    stmt = select(Loteria)
    if is_active is not None:
        stmt = stmt.where(Loteria.is_active == is_active)
    if search:
        stmt = stmt.where(contains(Loteria.name, search))
    return await paginate(session, stmt, page.offset, page.limit, Loteria.name)
