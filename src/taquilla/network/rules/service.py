"""Rules of the multipliers catalogue and of sale restrictions (issue 10; enforcement at sale in
:mod:`.enforcement`).

* **Multipliers**: per lotería, kind NUMERO | REVENTADO, ``valueX`` > 0. The lotería's active
  NUMERO multiplier is frozen on NUMERO jugadas at sale (fallback: its ``baseMultiplierX``); an
  active REVENTADO one is named by ``extraMultiplierId`` at evaluation. Delete = deactivate
  (sold jugadas keep their frozen value; an evaluated sorteo keeps its ``extraMultiplierX``).
* **Restrictions**: exactly one of banca / ventana / user (400 ``RESTRICTION_SCOPE``), which must
  exist (404); at least one limit (400 ``RESTRICTION_EMPTY``). Delete = deactivate; restore
  reactivates. ADMIN writes; every network role reads the rules of its own reach.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.errors import BadRequest, Conflict, NotFound
from taquilla.core.ids import new_id
from taquilla.core.money import positive_cents
from taquilla.core.pagination import PageParams
from taquilla.identity.models import User
from taquilla.network.auth import NetworkScope
from taquilla.network.models import Banca, Loteria, Multiplier, Restriction, Sorteo, Ventana
from taquilla.network.rules import repository as repo
from taquilla.network.rules.schemas import MultiplierIn, MultiplierPatch, RestrictionIn, RestrictionPatch

# ---- multipliers ----------------------------------------------------------------------------------


async def _multiplier(session: AsyncSession, multiplier_id: str) -> Multiplier:
    row = await session.get(Multiplier, multiplier_id)
    if row is None:
        raise NotFound(f"Multiplier {multiplier_id!r} not found.", code="MULTIPLIER_NOT_FOUND")
    return row


async def _check_refs(session: AsyncSession, loteria_id: str | None, sorteo_id: str | None) -> None:
    if loteria_id is not None and await session.get(Loteria, loteria_id) is None:
        raise NotFound(f"Lotería {loteria_id!r} not found.", code="LOTERIA_NOT_FOUND")
    if sorteo_id is not None:
        sorteo = await session.get(Sorteo, sorteo_id)
        if sorteo is None:
            raise NotFound(f"Sorteo {sorteo_id!r} not found.", code="SORTEO_NOT_FOUND")


async def get_multiplier(session: AsyncSession, multiplier_id: str) -> Multiplier:
    """One multiplier. Raises NotFound ``MULTIPLIER_NOT_FOUND``."""
    return await _multiplier(session, multiplier_id)


async def list_multipliers(
    session: AsyncSession, *, loteria_id: str | None, kind: str | None, is_active: bool | None, search: str | None,
    page: PageParams,
) -> tuple[int, list[Multiplier]]:
    """``(total, page)`` of multipliers."""
    return await repo.multipliers_page(session, loteria_id=loteria_id, kind=kind, is_active=is_active, search=search, page=page)


async def create_multiplier(session: AsyncSession, body: MultiplierIn) -> Multiplier:
    """A multiplier of an existing lotería. Raises NotFound ``LOTERIA_NOT_FOUND`` / ``SORTEO_NOT_FOUND``."""
    await _check_refs(session, body.loteriaId, body.appliesToSorteoId)
    row = Multiplier(
        id=body.id or new_id("mul"), loteria_id=body.loteriaId, name=body.name, value_x=body.valueX, kind=body.kind,
        is_active=body.isActive, applies_to_date=body.appliesToDate, applies_to_sorteo_id=body.appliesToSorteoId,
    )
    if await session.get(Multiplier, row.id) is not None:
        raise Conflict(f"Multiplier {row.id!r} already exists.", code="MULTIPLIER_EXISTS")
    await repo.add(session, row)
    return row


async def update_multiplier(session: AsyncSession, multiplier_id: str, body: MultiplierPatch) -> Multiplier:
    """Change the keys sent (a new ``valueX`` applies to later sales/evaluations only)."""
    row = await _multiplier(session, multiplier_id)
    sent = body.model_fields_set
    await _check_refs(session, None, body.appliesToSorteoId if "appliesToSorteoId" in sent else None)
    for key, attr in (("name", "name"), ("valueX", "value_x"), ("kind", "kind"), ("isActive", "is_active"),
                      ("appliesToDate", "applies_to_date"), ("appliesToSorteoId", "applies_to_sorteo_id")):
        value = getattr(body, key)
        if key in sent and (value is not None or key.startswith("applies")):
            setattr(row, attr, value)
    await session.flush()
    return row


async def set_multiplier_active(session: AsyncSession, multiplier_id: str, active: bool) -> Multiplier:
    """Deactivate (``DELETE``) or reactivate a multiplier; never deleted."""
    row = await _multiplier(session, multiplier_id)
    row.is_active = active
    await session.flush()
    return row


# ---- restrictions ---------------------------------------------------------------------------------


async def _check_scope(session: AsyncSession, banca_id: str | None, ventana_id: str | None, user_id: str | None) -> None:
    if sum(x is not None for x in (banca_id, ventana_id, user_id)) != 1:
        raise BadRequest("A restriction names exactly one of bancaId, ventanaId, userId.", code="RESTRICTION_SCOPE")
    for model, value, code in ((Banca, banca_id, "BANCA_NOT_FOUND"), (Ventana, ventana_id, "VENTANA_NOT_FOUND"),
                               (User, user_id, "USER_NOT_FOUND")):
        if value is not None and await session.get(model, value) is None:
            raise NotFound(f"{model.__name__} {value!r} not found.", code=code)


def _check_limits(row: Restriction) -> None:
    if row.max_amount_cents is None and row.max_total_cents is None and row.sales_cutoff_minutes is None:
        raise BadRequest("Give maxAmount, maxTotal or salesCutoffMinutes.", code="RESTRICTION_EMPTY")


async def get_restriction(session: AsyncSession, scope: NetworkScope, rule_id: str) -> Restriction:
    """One restriction within the caller's reach. Raises NotFound ``RESTRICTION_NOT_FOUND``."""
    row = await repo.restriction(session, scope, rule_id)
    if row is None:
        raise NotFound(f"Restriction {rule_id!r} not found.", code="RESTRICTION_NOT_FOUND")
    return row


async def list_restrictions(session: AsyncSession, scope: NetworkScope, page: PageParams, **filters: Any) -> tuple[int, list[Restriction]]:
    """``(total, page)`` of restrictions within the caller's reach."""
    return await repo.restrictions_page(session, scope, page=page, **filters)


def _cents(value: Any) -> int | None:
    return None if value is None else positive_cents(value)


async def create_restriction(session: AsyncSession, body: RestrictionIn) -> Restriction:
    """A restriction. Raises BadRequest ``RESTRICTION_SCOPE`` / ``RESTRICTION_EMPTY``; NotFound for the scope."""
    await _check_scope(session, body.bancaId, body.ventanaId, body.userId)
    row = Restriction(
        id=new_id("rst"), banca_id=body.bancaId, ventana_id=body.ventanaId, user_id=body.userId, number=body.number,
        max_amount_cents=_cents(body.maxAmount), max_total_cents=_cents(body.maxTotal),
        sales_cutoff_minutes=body.salesCutoffMinutes, applies_to_date=body.appliesToDate,
        applies_to_hour=body.appliesToHour, is_active=body.isActive,
    )
    _check_limits(row)
    await repo.add(session, row)
    return row


async def update_restriction(session: AsyncSession, scope: NetworkScope, rule_id: str, body: RestrictionPatch) -> Restriction:
    """Change the keys sent (null clears a limit). Raises as :func:`create_restriction`."""
    row = await get_restriction(session, scope, rule_id)
    sent = body.model_fields_set
    if sent & {"bancaId", "ventanaId", "userId"}:
        ids = {k: getattr(body, k) for k in ("bancaId", "ventanaId", "userId")}
        await _check_scope(session, ids["bancaId"], ids["ventanaId"], ids["userId"])
        row.banca_id, row.ventana_id, row.user_id = ids["bancaId"], ids["ventanaId"], ids["userId"]
    simple = {"number": "number", "salesCutoffMinutes": "sales_cutoff_minutes", "appliesToDate": "applies_to_date",
              "appliesToHour": "applies_to_hour"}
    for key, attr in simple.items():
        if key in sent:
            setattr(row, attr, getattr(body, key))
    if "maxAmount" in sent:
        row.max_amount_cents = _cents(body.maxAmount)
    if "maxTotal" in sent:
        row.max_total_cents = _cents(body.maxTotal)
    if "isActive" in sent and body.isActive is not None:
        row.is_active = body.isActive
    _check_limits(row)
    await session.flush()
    return row


async def set_restriction_active(session: AsyncSession, scope: NetworkScope, rule_id: str, active: bool) -> Restriction:
    """Delete (deactivate) or restore a restriction; it stays listed."""
    row = await get_restriction(session, scope, rule_id)
    row.is_active = active
    await session.flush()
    return row
