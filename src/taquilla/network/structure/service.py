"""Rules of the network's structure: bancas, ventanas (with the listero's account), vendedores
(a VENDEDOR user, its vendedor record with the same id, and its account) and loterías.

* ADMIN creates bancas, ventanas and loterías; ADMIN or the ventana's listero creates and
  changes vendedores (the route dependencies enforce the role, :mod:`taquilla.network.auth`).
* Codes are unique per kind; lotería names are unique. A changed commission policy or
  lotería applies to later sales only (jugadas keep their snapshots).
* Every ventana and vendedor has an account (:func:`taquilla.network.ledger.service.open_account`).
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.errors import BadRequest, Conflict, Forbidden, NotFound
from taquilla.core.ids import new_id
from taquilla.core.money import checked_cents, to_cents
from taquilla.core.pagination import PageParams
from taquilla.core.security import Role
from taquilla.identity.models import User
from taquilla.identity.service import create_user
from taquilla.network.auth import NetworkScope
from taquilla.network.commission import policy_json
from taquilla.network.ledger import service as ledger
from taquilla.network.models import Banca, Loteria, Vendedor, Ventana
from taquilla.network.structure import repository as repo
from taquilla.network.structure.schemas import (
    BancaIn,
    BancaPatch,
    LoteriaIn,
    LoteriaPatch,
    RulesJson,
    VendedorIn,
    VendedorPatch,
    VentanaIn,
    VentanaPatch,
)

M = TypeVar("M")
WithAccount = tuple[M, str | None]
"""A ventana or vendedor with its account id."""


async def need(session: AsyncSession, model: type[M], row_id: str, code: str) -> M:
    """The row of ``model`` (unscoped). Raises NotFound ``code``."""
    row = await repo.get(session, model, row_id)
    if row is None:
        raise NotFound(f"{model.__name__} {row_id!r} not found.", code=code)
    return row


def _patch(row: Any, body: Any, mapping: dict[str, str]) -> None:
    """Copy the fields the client sent (``mapping``: schema field → attribute). Raises BadRequest for a null."""
    for field, attr in mapping.items():
        if field in body.model_fields_set:
            value = getattr(body, field)
            if value is None:
                raise BadRequest(f"{field} may not be null.", code="VALIDATION_ERROR")
            setattr(row, attr, value)
    if "commissionPolicy" in body.model_fields_set:
        row.commission_policy = policy_json(body.commissionPolicy)


_CONTACT = ("email", "phone", "address")


def _patch_nullable(row: Any, body: Any, mapping: dict[str, str]) -> None:
    """Copy the fields the client sent, nulls included (contact data, margins)."""
    for field, attr in mapping.items():
        if field in body.model_fields_set:
            setattr(row, attr, getattr(body, field))


async def _derived_code(session: AsyncSession, model: type[Ventana], prefix: str) -> str:
    """A free code ``<prefix>-XXXXXX`` for a row created without one."""
    while True:
        code = f"{prefix}-{secrets.token_hex(3).upper()}"
        if not await repo.code_taken(session, model, code):
            return code


async def unique_code(session: AsyncSession, model: type[Banca | Ventana | Vendedor], code: str) -> None:
    if await repo.code_taken(session, model, code):
        raise Conflict(f"Code {code!r} is taken.", code="CODE_TAKEN")


# ---- bancas ------------------------------------------------------------------------------------


async def create_banca(session: AsyncSession, body: BancaIn) -> Banca:
    """A banca (id from the client or ``ban_…``). Raises Conflict ``BANCA_EXISTS`` / ``CODE_TAKEN``."""
    bid = body.id or new_id("ban")
    if await repo.get(session, Banca, bid) is not None:
        raise Conflict(f"Banca {bid!r} already exists.", code="BANCA_EXISTS")
    await unique_code(session, Banca, body.code)
    banca = Banca(
        id=bid, code=body.code, name=body.name, is_active=body.isActive, commission_policy=policy_json(body.commissionPolicy),
        email=body.email, phone=body.phone, address=body.address,
    )
    await repo.add(session, banca)
    return banca


async def update_banca(session: AsyncSession, banca_id: str, body: BancaPatch) -> Banca:
    """Rename, (de)activate or replace the default commission policy. Raises NotFound ``BANCA_NOT_FOUND``."""
    banca = await need(session, Banca, banca_id, "BANCA_NOT_FOUND")
    if body.code is not None and body.code != banca.code:
        await unique_code(session, Banca, body.code)
    _patch(banca, body, {"name": "name", "isActive": "is_active", "code": "code"})
    _patch_nullable(banca, body, {f: f for f in _CONTACT})
    await session.flush()
    return banca


async def list_bancas(
    session: AsyncSession, is_active: bool | None, page: PageParams, search: str | None = None
) -> tuple[int, list[Banca]]:
    """``(total, page of bancas by code)``."""
    return await repo.bancas_page(session, is_active, page, search)


# ---- ventanas ----------------------------------------------------------------------------------


def _ventana_settings(current: dict[str, Any] | None, body: Any) -> dict[str, Any]:
    """The ventana's settings with the sent ``print`` keys merged in."""
    settings = dict(current or {})
    printing = dict(settings.get("print") or {})
    if body is not None and body.print is not None:
        printing.update(body.print.model_dump(exclude_unset=True))
    settings["print"] = printing
    return settings


async def create_ventana(session: AsyncSession, body: VentanaIn) -> WithAccount[Ventana]:
    """A ventana and its account. Raises NotFound ``BANCA_NOT_FOUND``, Conflict ``VENTANA_EXISTS``/``CODE_TAKEN``."""
    await need(session, Banca, body.bancaId, "BANCA_NOT_FOUND")
    vid = body.id or new_id("ven")
    if await repo.get(session, Ventana, vid) is not None:
        raise Conflict(f"Ventana {vid!r} already exists.", code="VENTANA_EXISTS")
    if body.code is not None:
        await unique_code(session, Ventana, body.code)
    ventana = Ventana(
        id=vid, banca_id=body.bancaId, code=body.code or await _derived_code(session, Ventana, "VEN"), name=body.name,
        is_active=body.isActive, commission_policy=policy_json(body.commissionPolicy),
        email=body.email, phone=body.phone, address=body.address, commission_margin_x=body.commissionMarginX,
        settings=_ventana_settings(None, body.settings),
    )
    await repo.add(session, ventana)
    return ventana, await ledger.open_account(session, "VENTANA", vid, vid)


async def update_ventana(session: AsyncSession, ventana_id: str, body: VentanaPatch) -> WithAccount[Ventana]:
    """Rename, (de)activate or replace the listero's commission policy. Raises NotFound ``VENTANA_NOT_FOUND``."""
    ventana = await need(session, Ventana, ventana_id, "VENTANA_NOT_FOUND")
    if body.code is not None and body.code != ventana.code:
        await unique_code(session, Ventana, body.code)
    if body.bancaId is not None and body.bancaId != ventana.banca_id:
        await need(session, Banca, body.bancaId, "BANCA_NOT_FOUND")
    _patch(ventana, body, {"name": "name", "isActive": "is_active", "code": "code", "bancaId": "banca_id"})
    _patch_nullable(ventana, body, {**{f: f for f in _CONTACT}, "commissionMarginX": "commission_margin_x"})
    if body.settings is not None:
        ventana.settings = _ventana_settings(ventana.settings, body.settings)
    await session.flush()
    return ventana, (await ledger.account_ids(session, "VENTANA", [ventana.id])).get(ventana.id)


async def get_ventana(session: AsyncSession, scope: NetworkScope, ventana_id: str) -> WithAccount[Ventana]:
    """The ventana in ``scope`` with its account id. Raises NotFound ``VENTANA_NOT_FOUND`` (also outside the scope)."""
    ventana = await repo.ventana_in_scope(session, scope, ventana_id)
    if ventana is None:
        raise NotFound(f"Ventana {ventana_id!r} not found.", code="VENTANA_NOT_FOUND")
    return ventana, (await ledger.account_ids(session, "VENTANA", [ventana.id])).get(ventana.id)


async def list_ventanas(
    session: AsyncSession, scope: NetworkScope, *, banca_id: str | None, is_active: bool | None, search: str | None,
    page: PageParams,
) -> tuple[int, list[WithAccount[Ventana]]]:
    """``(total, page)`` of the ventanas in ``scope`` by code, each with its account id."""
    total, rows = await repo.ventanas_page(session, scope, banca_id=banca_id, is_active=is_active, search=search, page=page)
    accounts = await ledger.account_ids(session, "VENTANA", [v.id for v in rows])
    return total, [(v, accounts.get(v.id)) for v in rows]


# ---- vendedores ------------------------------------------------------------------------------------


async def create_vendedor(session: AsyncSession, scope: NetworkScope, body: VendedorIn) -> WithAccount[Vendedor]:
    """The VENDEDOR user, its vendedor record (same id) and its account.

    ADMIN names ``ventanaId``; a listero creates in its own ventana (another → 403 ``VENTANA_OUT_OF_SCOPE``).
    Raises BadRequest ``VENTANA_REQUIRED``, NotFound ``VENTANA_NOT_FOUND``, Conflict ``CODE_TAKEN``/``USERNAME_TAKEN``.
    """
    if scope.role is Role.VENDEDOR:
        raise Forbidden("A VENDEDOR may not create vendedores.", code="ROLE_FORBIDDEN")
    ventana_id = body.ventanaId or scope.ventana_id
    if ventana_id is None:
        raise BadRequest("ventanaId is required.", code="VENTANA_REQUIRED")
    if scope.ventana_id is not None and ventana_id != scope.ventana_id:
        raise Forbidden("You may only manage vendedores of your ventana.", code="VENTANA_OUT_OF_SCOPE")
    await need(session, Ventana, ventana_id, "VENTANA_NOT_FOUND")
    await unique_code(session, Vendedor, body.code)
    user = await create_user(
        session, username=body.username, password=body.password, role=Role.VENDEDOR, full_name=body.name, ventana_id=ventana_id
    )
    user.is_active = body.isActive
    user.code = body.code
    vendedor = Vendedor(
        id=user.id, ventana_id=ventana_id, code=body.code, name=body.name, is_active=body.isActive,
        commission_policy=policy_json(body.commissionPolicy),
    )
    await repo.add(session, vendedor)
    return vendedor, await ledger.open_account(session, "VENDEDOR", user.id, ventana_id)


async def get_vendedor(session: AsyncSession, scope: NetworkScope, vendedor_id: str) -> WithAccount[Vendedor]:
    """The vendedor in ``scope`` with its account id. Raises NotFound ``VENDEDOR_NOT_FOUND`` (also outside the scope)."""
    vendedor = await repo.vendedor_in_scope(session, scope, vendedor_id)
    if vendedor is None:
        raise NotFound(f"Vendedor {vendedor_id!r} not found.", code="VENDEDOR_NOT_FOUND")
    return vendedor, (await ledger.account_ids(session, "VENDEDOR", [vendedor.id])).get(vendedor.id)


async def update_vendedor(session: AsyncSession, scope: NetworkScope, vendedor_id: str, body: VendedorPatch) -> WithAccount[Vendedor]:
    """Rename, (de)activate (also the user's login) or replace the commission policy (ADMIN or its listero)."""
    vendedor, account_id = await get_vendedor(session, scope, vendedor_id)
    _patch(vendedor, body, {"name": "name", "isActive": "is_active"})
    user = await repo.get(session, User, vendedor.id)
    if user is not None:  # one concept: the vendedor and its user show the same name and state
        user.is_active, user.full_name = vendedor.is_active, vendedor.name
    await session.flush()
    return vendedor, account_id


async def list_vendedores(
    session: AsyncSession, scope: NetworkScope, *, ventana_id: str | None, is_active: bool | None, search: str | None,
    page: PageParams,
) -> tuple[int, list[WithAccount[Vendedor]]]:
    """``(total, page)`` of the vendedores in ``scope`` by code. Raises Forbidden ``OUT_OF_SCOPE`` for another ventana."""
    ventana_id, _ = scope.narrow(ventana_id)
    total, rows = await repo.vendedores_page(session, scope, ventana_id=ventana_id, is_active=is_active, search=search, page=page)
    accounts = await ledger.account_ids(session, "VENDEDOR", [v.id for v in rows])
    return total, [(v, accounts.get(v.id)) for v in rows]


# ---- loterías ----------------------------------------------------------------------------------------


def _limit_cents(amount: Any) -> int | None:
    return None if amount is None else checked_cents(to_cents(amount), "limit")


DEFAULT_BASE_MULTIPLIER_X = Decimal(90)
"""Base payout multiplier of a lotería created without one (the front end creates with name and rules only)."""


def _apply_rules(loteria: Loteria, rules: RulesJson) -> None:
    """Write the client's ``rulesJson`` onto the lotería's columns and ``rules_extra`` (see :class:`RulesJson`).

    The whole object replaces the previous one (the rules editor sends it whole); keys it
    omits keep the column's current value for required settings and clear optional limits.
    Raises BadRequest ``INVALID_NUMBER_RANGE`` (a range other than 0…10^d−1),
    ``INVALID_BET_LIMITS`` (min > max).
    """
    fields = rules.model_fields_set
    if rules.numberRange is not None:
        width = len(str(rules.numberRange.max))
        if rules.numberRange.min != 0 or rules.numberRange.max != 10**width - 1:
            raise BadRequest("numberRange must be 0…9, 0…99, 0…999 or 0…9999.", code="INVALID_NUMBER_RANGE")
        loteria.digits = width
    if rules.minBetAmount is not None and rules.maxBetAmount is not None and rules.minBetAmount > rules.maxBetAmount:
        raise BadRequest("minBetAmount exceeds maxBetAmount.", code="INVALID_BET_LIMITS")
    loteria.min_bet_cents = _limit_cents(rules.minBetAmount)
    loteria.max_bet_cents = _limit_cents(rules.maxBetAmount)
    loteria.max_numbers_per_ticket = rules.maxNumbersPerTicket
    if rules.closingTimeBeforeDraw is not None:
        loteria.sales_cutoff_minutes = rules.closingTimeBeforeDraw
    if rules.baseMultiplierX is not None:
        loteria.base_multiplier_x = rules.baseMultiplierX
    extra: dict[str, Any] = {}
    if rules.reventadoConfig is not None:
        loteria.reventado_enabled = rules.reventadoConfig.enabled
        extra["allowedMultiplierIds"] = list(rules.reventadoConfig.allowedMultiplierIds)
    if rules.drawSchedule is not None:
        if rules.drawSchedule.times is not None:
            loteria.draw_times = list(rules.drawSchedule.times)
        extra["drawSchedule"] = rules.drawSchedule.model_dump(exclude={"times"}, exclude_none=True)
    for key in ("salesHours", "allowedBetTypes", "autoCreateSorteos", "commissionRules", "display"):
        if key in fields and getattr(rules, key) is not None:
            extra[key] = rules.model_dump(mode="json", include={key})[key]
    loteria.rules_extra = extra or None


async def create_loteria(session: AsyncSession, body: LoteriaIn) -> Loteria:
    """A lotería (limits in major units → cents), from flat fields and/or the client's ``rulesJson``.

    Raises Conflict ``LOTERIA_EXISTS`` / ``NAME_TAKEN``, 400 ``AMOUNT_TOO_LARGE`` and the
    errors of :func:`_apply_rules`.
    """
    lid = body.id or new_id("lot")
    if await repo.get(session, Loteria, lid) is not None:
        raise Conflict(f"Lotería {lid!r} already exists.", code="LOTERIA_EXISTS")
    if await repo.loteria_name_taken(session, body.name):
        raise Conflict(f"Lotería name {body.name!r} is taken.", code="NAME_TAKEN")
    loteria = Loteria(
        id=lid, name=body.name, digits=body.digits, base_multiplier_x=body.baseMultiplierX or DEFAULT_BASE_MULTIPLIER_X,
        reventado_enabled=body.reventadoEnabled, draw_times=list(body.drawTimes),
        sales_cutoff_minutes=body.salesCutoffMinutes, max_bet_cents=_limit_cents(body.maxAmountPerBet),
        max_per_number_cents=_limit_cents(body.maxAmountPerNumber), is_active=body.isActive,
    )
    if body.rulesJson is not None:
        _apply_rules(loteria, body.rulesJson)
        if body.maxAmountPerBet is not None:
            loteria.max_bet_cents = _limit_cents(body.maxAmountPerBet)
    await repo.add(session, loteria)
    return loteria


async def update_loteria(session: AsyncSession, loteria_id: str, body: LoteriaPatch) -> Loteria:
    """Later sales use the new values; sold jugadas keep their frozen multiplier. Raises NotFound, Conflict ``NAME_TAKEN``."""
    loteria = await need(session, Loteria, loteria_id, "LOTERIA_NOT_FOUND")
    fields = body.model_fields_set
    if "name" in fields and body.name and body.name != loteria.name and await repo.loteria_name_taken(session, body.name):
        raise Conflict(f"Lotería name {body.name!r} is taken.", code="NAME_TAKEN")
    if body.rulesJson is not None:
        _apply_rules(loteria, body.rulesJson)
    _patch(loteria, body, {
        "name": "name", "baseMultiplierX": "base_multiplier_x", "reventadoEnabled": "reventado_enabled",
        "drawTimes": "draw_times", "salesCutoffMinutes": "sales_cutoff_minutes", "isActive": "is_active",
    })
    if "maxAmountPerBet" in fields:
        loteria.max_bet_cents = _limit_cents(body.maxAmountPerBet)
    if "maxAmountPerNumber" in fields:
        loteria.max_per_number_cents = _limit_cents(body.maxAmountPerNumber)
    await session.flush()
    return loteria


async def list_loterias(
    session: AsyncSession, is_active: bool | None, page: PageParams, search: str | None = None
) -> tuple[int, list[Loteria]]:
    """``(total, page of loterías by name)``."""
    return await repo.loterias_page(session, is_active, page, search)
