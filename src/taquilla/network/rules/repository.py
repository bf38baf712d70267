"""Queries of multipliers and restrictions (ORM)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.pagination import PageParams
from taquilla.core.queries import paginate
from taquilla.identity.models import User
from taquilla.network.auth import NetworkScope
from taquilla.network.models import Multiplier, Restriction, Ventana


async def multipliers_page(
    session: AsyncSession, *, loteria_id: str | None, kind: str | None, is_active: bool | None, search: str | None,
    page: PageParams,
) -> tuple[int, list[Multiplier]]:
    """Multipliers by lotería, kind, activity and name (contains), ordered by lotería, kind, value."""
    stmt = select(Multiplier)
    if loteria_id:
        stmt = stmt.where(Multiplier.loteria_id == loteria_id)
    if kind:
        stmt = stmt.where(Multiplier.kind == kind)
    if is_active is not None:
        stmt = stmt.where(Multiplier.is_active.is_(is_active))
    if search:
        stmt = stmt.where(Multiplier.name.icontains(search, autoescape=True))
    return await paginate(session, stmt, page.offset, page.limit, Multiplier.loteria_id, Multiplier.kind,
                          Multiplier.value_x, Multiplier.id)


def _visible(scope: NetworkScope, stmt: Any) -> Any:
    """Restrictions a non-admin may read: its banca's, its ventana's, and its user(s)'."""
    if scope.is_admin:
        return stmt
    banca = select(Ventana.banca_id).where(Ventana.id == scope.ventana_id).scalar_subquery()
    users = (select(User.id).where(User.id == scope.vendedor_id) if scope.vendedor_id
             else select(User.id).where(User.ventana_id == scope.ventana_id))
    return stmt.where(or_(Restriction.banca_id == banca, Restriction.ventana_id == scope.ventana_id,
                          Restriction.user_id.in_(users)))


async def restrictions_page(
    session: AsyncSession, scope: NetworkScope, *, banca_id: str | None, ventana_id: str | None, user_id: str | None,
    number: str | None, is_active: bool | None, has_cutoff: bool | None, has_amount: bool | None, page: PageParams,
) -> tuple[int, list[Restriction]]:
    """Restrictions visible to ``scope``, filtered as the client asks, most specific first."""
    stmt = _visible(scope, select(Restriction))
    for column, value in ((Restriction.banca_id, banca_id), (Restriction.ventana_id, ventana_id),
                          (Restriction.user_id, user_id), (Restriction.number, number)):
        if value:
            stmt = stmt.where(column == value)
    if is_active is not None:
        stmt = stmt.where(Restriction.is_active.is_(is_active))
    if has_cutoff is not None:
        cond = Restriction.sales_cutoff_minutes.is_not(None)
        stmt = stmt.where(cond if has_cutoff else ~cond)
    if has_amount is not None:
        cond = or_(Restriction.max_amount_cents.is_not(None), Restriction.max_total_cents.is_not(None))
        stmt = stmt.where(cond if has_amount else ~cond)
    return await paginate(session, stmt, page.offset, page.limit, Restriction.created_at.desc(), Restriction.id)


async def restriction(session: AsyncSession, scope: NetworkScope, rule_id: str) -> Restriction | None:
    """One restriction visible to ``scope``."""
    return await session.scalar(_visible(scope, select(Restriction).where(Restriction.id == rule_id)))


async def add(session: AsyncSession, row: Any) -> None:
    session.add(row)
    await session.flush()
