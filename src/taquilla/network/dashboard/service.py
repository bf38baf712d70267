"""Rules of the network's dashboards (DOMAIN.md "Dashboard", "saldoAHoy", "Day statement"; seed 001).

* **Scope**: ADMIN sees every ventana; a listero (VENTANA) only its own ventana (and its
  vendedores with ``dimension=vendedor``): another ``ventanaId`` is 403 ``OUT_OF_SCOPE``. A
  VENDEDOR never reaches these routes (403 ``ROLE_FORBIDDEN``).
* **Figures** are the statement's (:func:`taquilla.network.ledger.statements.figures`), read from the
  rollup with the level rule of the ledger: a ventana's collected/paid are its banca↔ventana
  movements, a vendedor's its ventana↔vendedor ones. ``remainingBalance = sales − payouts −
  commission − collected + paid`` (listero's commission for a ventana, vendedor's for a vendedor).
  CxC lists the entities whose remaining balance of the period is > 0, CxP those < 0;
  ``amount = |remainingBalance|``; ``totalAmount`` sums the list.
* **saldoAHoy** = the same remaining balance over the whole *reference month*: the month of the
  period's end, or the current month when the period ends after today (``week`` ending
  tomorrow, ``year``, a future range). It never depends on the period filter.
* **loteriaId** (one id or a comma list): the rollup has no lotería, so with it the sales,
  payouts, commissions, prizes paid and tickets come from the tickets of those loterías, and
  the movements count 0 (a cobro/pago belongs to no lotería): remainingBalance = balance.
* **Ganancia**: the banca's profit ``netProfit = sales − payouts − listero commission``
  (the vendedor's commission is paid by the listero out of its own); ``margin = netProfit /
  sales × 100`` (2 places, 0 without sales). ``commissions`` is the listero commission.
* **KPIs**: ``totalCommissions`` = listero commission; ``totalWinners`` = non-cancelled tickets
  with a payout; ``winRate = winners / tickets × 100``; ``previousPeriod`` = the same number of
  days just before the period.
* ``betType`` and ``aging`` are accepted as the front end sends them and do not filter.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from orjson import Fragment
from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.errors import BadRequest, NotFound
from taquilla.core.ids import CLIENT_ID_PATTERN
from taquilla.core.money import from_cents
from taquilla.core.pagination import PageParams
from taquilla.core.periods import DateRange, month_range
from taquilla.network import rollup
from taquilla.network.auth import NetworkScope
from taquilla.network.dashboard import repository as repo
from taquilla.network.ledger.statements import figures, remaining_cents

_ID = re.compile(CLIENT_ID_PATTERN)
ACCOUNT_DIMENSIONS = ("ventana", "vendedor")
GANANCIA_DIMENSIONS = ("ventana", "loteria", "vendedor", "global")
VENDEDOR_SORTS = ("sales", "commissions", "tickets", "winners", "avgTicket", "winRate", "vendedorName")


@dataclass(frozen=True)
class DashQuery:
    """A resolved, scope-checked dashboard request (CR dates; ids inside the caller's scope)."""

    period: DateRange
    month: DateRange
    today: date
    dimension: str
    ventana_id: str | None
    loteria_ids: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def previous(self) -> DateRange:
        """The same number of days just before the period."""
        days = (self.period.end - self.period.start).days + 1
        return DateRange(self.period.start - timedelta(days=days), self.period.start - timedelta(days=1))

    def params(self) -> str:
        """The canonical parameters (cache key and ETag)."""
        return (f"{self.period.start}:{self.period.end}:{self.month.start}:{self.dimension}:{self.ventana_id}:"
                f"{','.join(self.loteria_ids)}:{sorted(self.extra.items())}")


def reference_month(period: DateRange, today: date) -> DateRange:
    """The month of ``saldoAHoy``: the month of the period's end, or today's month when it ends after today."""
    return month_range(min(period.end, today))


def parse_loterias(value: str | None) -> tuple[str, ...]:
    """``loteriaId`` as the front end sends it (one id or a comma list). Raises BadRequest ``INVALID_ID``."""
    if value is None or not value.strip():
        return ()
    ids = tuple(dict.fromkeys(p.strip() for p in value.split(",") if p.strip()))
    bad = [i for i in ids if not _ID.match(i)]
    if bad or len(ids) > 50:
        raise BadRequest(f"loteriaId must be up to 50 ids separated by commas; malformed: {bad[:3]!r}.", code="INVALID_ID")
    return ids


async def resolve(
    session: AsyncSession, scope: NetworkScope, period: DateRange, today: date, *, dimension: str, allowed: tuple[str, ...],
    ventana_id: str | None, loteria_id: str | None, extra: dict[str, Any] | None = None,
) -> DashQuery:
    """Validate the parameters against the caller's scope.

    Raises BadRequest ``INVALID_DIMENSION``/``INVALID_ID``, Forbidden ``OUT_OF_SCOPE`` (a listero
    naming another ventana), NotFound ``VENTANA_NOT_FOUND``/``LOTERIA_NOT_FOUND``.
    """
    if dimension not in allowed:
        raise BadRequest(f"dimension must be one of {', '.join(allowed)}; got {dimension!r}.", code="INVALID_DIMENSION")
    ventana_id, _ = scope.narrow(ventana_id)
    if ventana_id and scope.is_admin and not await repo.ventana_exists(session, ventana_id):
        raise NotFound(f"Ventana {ventana_id!r} not found.", code="VENTANA_NOT_FOUND")
    loterias = parse_loterias(loteria_id)
    if loterias:
        known = await repo.loterias(session, loterias)
        missing = [i for i in loterias if i not in known]
        if missing:
            raise NotFound(f"Lotería {missing[0]!r} not found.", code="LOTERIA_NOT_FOUND")
    return DashQuery(period, reference_month(period, today), today, dimension, ventana_id, loterias, extra or {})


def scope_key(scope: NetworkScope) -> str:
    """The caller's reach, part of every cache key and ETag."""
    return f"{scope.role.value}:{scope.ventana_id or ''}:{scope.vendedor_id or ''}"


async def version(session: AsyncSession, q: DashQuery, *, with_previous: bool = False, with_vendedores: bool = False) -> str:
    """The version of an answer of ``q``: revision sum and row count of the rollup rows of the period,
    the reference month (and the previous period), plus the stamp of the names shown."""
    starts = [q.period.start, q.month.start] + ([q.previous.start] if with_previous else [])
    ends = [q.period.end, q.month.end]
    return await repo.version(session, repo.Rows(min(starts), max(ends), q.ventana_id),
                              with_vendedores=with_vendedores or q.dimension == "vendedor")


def ratio(part: int, whole: int) -> Decimal:
    """``part / whole`` to 2 places (half up); 0 when ``whole`` is 0."""
    if not whole:
        return Decimal("0.00")
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def percent(part: int, whole: int) -> Decimal:
    """``part / whole × 100`` to 2 places (half up); 0 when ``whole`` is 0."""
    return ratio(part * 100, whole)


async def _entity_sums(session: AsyncSession, q: DashQuery, windows: dict[str, DateRange], dimension: str) -> dict[tuple[str, str], dict[str, dict[str, int]]]:
    if q.loteria_ids:
        return await repo.ticket_sums_by_entity(session, windows, dimension=dimension, ventana_id=q.ventana_id, loteria_ids=q.loteria_ids)
    return await repo.sums_by_entity(session, windows, dimension=dimension, ventana_id=q.ventana_id)


def meta(q: DashQuery, etag: str, started: float, queries: int) -> dict[str, Any]:
    """``meta`` of every dashboard answer: range, reference month, etag, timing (ms) and query count."""
    return {
        "range": {"from": q.period.start.isoformat(), "to": q.period.end.isoformat()},
        "month": q.month.start.strftime("%Y-%m"), "monthRange": {"from": q.month.start.isoformat(), "to": q.month.end.isoformat()},
        "dimension": q.dimension, "etag": etag, "cacheHit": False,
        "queryExecutionTime": round((time.perf_counter() - started) * 1000, 2), "totalQueries": queries,
        "generatedAt": datetime.now(UTC),
    }


# ---- CxC / CxP ----------------------------------------------------------------------------------------


def saldo_meta(m: dict[str, int], dimension: str) -> dict[str, Any]:
    """``saldoAHoyMeta`` of one entity's month sums (major units)."""
    f = figures(m, dimension)
    return {"monthSales": f["totalSales"], "monthPayouts": f["totalPayouts"], "monthBalance": f["balance"],
            "monthCollected": f["totalCollected"], "monthPaid": f["totalPaid"], "monthRemainingBalance": f["remainingBalance"]}


def account_item(key: tuple[str, str], w: dict[str, dict[str, int]], dimension: str, ventanas: dict[str, tuple[str, str, bool]],
                 vendedores: dict[str, tuple[str, str, bool]]) -> dict[str, Any]:
    """One ``byVentana`` item (seed 001's fields) of an entity: period figures, ``saldoAHoy`` and its meta."""
    p = w["p"]
    f = figures(p, dimension)
    vcode, vname, vactive = ventanas.get(key[0], (key[0], key[0], True))
    item: dict[str, Any] = {"ventanaId": key[0], "ventanaName": vname, "ventanaCode": vcode}
    active = vactive
    if dimension == "vendedor":
        ucode, uname, uactive = vendedores.get(key[1], (key[1], key[1], True))
        item |= {"vendedorId": key[1], "vendedorName": uname, "vendedorCode": ucode}
        active = uactive
    month = saldo_meta(w["m"], dimension)
    item |= {
        "totalSales": f["totalSales"], "totalPayouts": f["totalPayouts"],
        "totalListeroCommission": f["listeroCommission"], "totalVendedorCommission": f["vendedorCommission"],
        "balance": f["balance"], "totalPaid": f["totalPaid"], "totalPaidOut": f["totalPaidToCustomer"],
        "totalCollected": f["totalCollected"], "totalPaidToCustomer": f["totalPaidToCustomer"],
        "amount": abs(f["remainingBalance"]), "remainingBalance": f["remainingBalance"], "isActive": active,
        "ticketCount": f["ticketCount"],
        "saldoAHoy": month["monthRemainingBalance"], "saldoAHoyMeta": month,
    }
    return item


async def accounts(session: AsyncSession, q: DashQuery, kind: str, etag: str) -> dict[str, Any]:
    """CxC (``kind`` cxc: remaining balance > 0) or CxP (< 0) of the period, per ventana or vendedor.

    ``{totalAmount, total, dimension, byVentana[], meta}``; items by amount desc, then ids. With dimension
    vendedor each ``byVentana`` item is a vendedor (DOMAIN.md "Dashboard": ``byVentana[]`` for both
    dimensions; backend-bancas' ``byVendedor`` copy of the same list is not sent — it doubled the answer).
    """
    started = time.perf_counter()
    if not q.loteria_ids:  # the hot path: PostgreSQL renders the items from the rollup
        items_json, total_text = await repo.accounts_json(session, q.dimension, kind, q.period, q.month, q.ventana_id)
        rendered: dict[str, Any] = {"totalAmount": Fragment(total_text), "total": Fragment(total_text), "dimension": q.dimension,
                                    "byVentana": Fragment(items_json)}
        rendered["meta"] = meta(q, etag, started, 1)
        return rendered
    sums = await _entity_sums(session, q, {"p": q.period, "m": q.month}, q.dimension)
    sign = 1 if kind == "cxc" else -1
    chosen = [(k, w) for k, w in sums.items() if sign * remaining_cents(w["p"], q.dimension) > 0]
    ventanas = await repo.ventanas(session, q.ventana_id)
    vendedores = await repo.vendedores(session, q.ventana_id) if q.dimension == "vendedor" else {}
    chosen.sort(key=lambda kw: (-sign * remaining_cents(kw[1]["p"], q.dimension), kw[0]))
    items = [account_item(k, w, q.dimension, ventanas, vendedores) for k, w in chosen]
    total = from_cents(sum(sign * remaining_cents(w["p"], q.dimension) for _, w in chosen))
    out: dict[str, Any] = {"totalAmount": total, "total": total, "dimension": q.dimension, "byVentana": items}
    out["meta"] = meta(q, etag, started, 4 if q.dimension == "vendedor" else 3)
    return out


# ---- ganancia ------------------------------------------------------------------------------------------


def profit(dimension: str, key: str, name: str, r: dict[str, int]) -> dict[str, Any]:
    """One ganancia item: the banca's ``netProfit = sales − payouts − listero commission`` and its margin."""
    net = r["sales_cents"] - r["payouts_cents"] - r["listero_commission_cents"]
    return {
        "dimension": dimension, "key": key, "name": name, "sales": from_cents(r["sales_cents"]),
        "payout": from_cents(r["payouts_cents"]), "commissions": from_cents(r["listero_commission_cents"]),
        "commissionVentana": from_cents(r["listero_commission_cents"]), "commissionUser": from_cents(r["vendedor_commission_cents"]),
        "netProfit": from_cents(net), "margin": percent(net, r["sales_cents"]), "tickets": r["ticket_count"],
    }


def _sum(rows: Any) -> dict[str, int]:
    total = rollup.zero()
    for r in rows:
        for f in total:
            total[f] += r[f]
    return total


async def ganancia(session: AsyncSession, q: DashQuery, etag: str) -> dict[str, Any]:
    """``{dimension, items[{dimension,key,name,sales,payout,commissions,netProfit,margin,…}], global, meta}``, by sales desc."""
    started = time.perf_counter()
    items: list[dict[str, Any]] = []
    if q.dimension == "loteria":
        rows = await repo.ticket_sums_by_loteria(session, q.period, q.ventana_id, q.loteria_ids or None)
        items = [profit("loteria", k, n, r) for k, n, r in rows]
        total = _sum(r for _, _, r in rows)
    else:
        dim = "vendedor" if q.dimension == "vendedor" else "ventana"
        sums = await _entity_sums(session, q, {"p": q.period}, dim)
        total = _sum(w["p"] for w in sums.values())
        if q.dimension != "global":
            names = await (repo.vendedores if dim == "vendedor" else repo.ventanas)(session, q.ventana_id)
            for (ven, ved), w in sums.items():
                key = ved if dim == "vendedor" else ven
                items.append(profit(dim, key, names.get(key, (key, key, True))[1], w["p"]))
    items.sort(key=lambda i: (-i["sales"], i["key"]))
    g = profit("global", "global", "global", total)
    glob = {k: g[k] for k in ("sales", "payout", "commissions", "commissionVentana", "commissionUser", "netProfit", "margin", "tickets")}
    return {"dimension": q.dimension, "items": items, "global": glob, "meta": meta(q, etag, started, 3)}


async def vendedores(session: AsyncSession, q: DashQuery, etag: str, page: PageParams, sort_by: str, descending: bool) -> dict[str, Any]:
    """Contract row 73: ``{data[{vendedorId, vendedorName, vendedorCode, ventanaId, ventanaName, sales,
    commissions, tickets, winners, avgTicket, winRate}], pagination{page, pageSize, total, totalPages}, meta}``.

    One row per vendedor with sales in the period (its rollup rows, or the tickets of ``loteriaId``);
    ``commissions`` = the vendedor's own commission, ``avgTicket`` = sales / tickets (2 places, half up),
    ``winRate`` = winners / tickets × 100. Sorted by ``sort_by`` (then vendedor id), paged.
    Raises BadRequest ``PAGE_OUT_OF_RANGE`` for a page past the end.
    """
    started = time.perf_counter()
    sums = await _entity_sums(session, q, {"p": q.period}, "vendedor")
    names = await repo.vendedores(session, q.ventana_id)
    ventanas = await repo.ventanas(session, q.ventana_id)
    rows = []
    for (ven, ved), w in sums.items():
        r = w["p"]
        if not r["ticket_count"]:
            continue
        code, name, _ = names.get(ved, (ved, ved, True))
        rows.append({
            "vendedorId": ved, "vendedorName": name, "vendedorCode": code, "ventanaId": ven,
            "ventanaName": ventanas.get(ven, (ven, ven, True))[1], "sales": from_cents(r["sales_cents"]),
            "commissions": from_cents(r["vendedor_commission_cents"]), "tickets": r["ticket_count"],
            "winners": r["winner_count"],
            "avgTicket": (Decimal(r["sales_cents"]) / r["ticket_count"] / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
            "winRate": percent(r["winner_count"], r["ticket_count"]),
        })
    rows.sort(key=lambda i: i["vendedorId"])
    rows.sort(key=lambda i: i[sort_by], reverse=descending)
    block = page.block(len(rows))
    return {"data": rows[page.offset:page.offset + page.limit],
            "pagination": {"page": block.page, "pageSize": block.pageSize, "total": block.total, "totalPages": block.totalPages},
            "meta": meta(q, etag, started, 3)}


EXPOSURE_BET_TYPES = ("NUMERO", "REVENTADO")


async def exposure(session: AsyncSession, q: DashQuery, etag: str, top: int, bet_type: str | None) -> dict[str, Any]:
    """Contract row 72: the risk of the period's pending sorteos (not evaluated yet) per number.

    ``topNumbers`` — the ``top`` (number, betType) pairs by potential payout (then sales, number) over
    every lotería: ``{number, betType, sales, potentialPayout, ratio = potentialPayout / sales, ticketCount}``;
    ``byLoteria`` — per lotería ``{loteriaId, loteriaName, totalSales, totalPotentialPayout, ratio,
    topNumbers[5]}``; ``heatmap`` — the 100 two-digit numbers "00"–"99" with their sales and potential payout
    (all bet types); ``meta``. Amounts in major units; ratios with two places.
    """
    started = time.perf_counter()
    rows = await repo.exposure(session, q.period, q.ventana_id, q.loteria_ids, bet_type)

    def item(number: str, bt: str, sales: int, potential: int, tickets: int | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"number": number, "betType": bt, "sales": from_cents(sales), "potentialPayout": from_cents(potential),
                               "ratio": ratio(potential, sales)}
        if tickets is not None:
            out["ticketCount"] = tickets
        return out

    def ranked(pairs: dict[tuple[str, str], list[int]], n: int) -> list[tuple[tuple[str, str], list[int]]]:
        return sorted(pairs.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))[:n]

    overall: dict[tuple[str, str], list[int]] = {}
    lots: dict[str, dict[str, Any]] = {}
    heat = {f"{n:02d}": [0, 0] for n in range(100)}
    for lot_id, lot_name, number, bt, sales, potential, tickets in rows:
        o = overall.setdefault((number, bt), [0, 0, 0])
        o[0] += sales
        o[1] += potential
        o[2] += tickets  # a ticket counts once per lotería (a ticket has one lotería)
        lot = lots.setdefault(lot_id, {"name": lot_name, "pairs": {}})
        lot["pairs"][(number, bt)] = [sales, potential]
        if number in heat:
            heat[number][0] += sales
            heat[number][1] += potential
    by_loteria = []
    for lot_id, lot in lots.items():
        sales = sum(v[0] for v in lot["pairs"].values())
        potential = sum(v[1] for v in lot["pairs"].values())
        by_loteria.append({"loteriaId": lot_id, "loteriaName": lot["name"], "totalSales": from_cents(sales),
                           "totalPotentialPayout": from_cents(potential), "ratio": ratio(potential, sales),
                           "topNumbers": [item(k[0], k[1], v[0], v[1]) for k, v in ranked(lot["pairs"], 5)]})
    by_loteria.sort(key=lambda lot: (-lot["totalPotentialPayout"], lot["loteriaId"]))
    return {
        "topNumbers": [item(k[0], k[1], v[0], v[1], v[2]) for k, v in ranked(overall, top)],
        "byLoteria": by_loteria,
        "heatmap": [{"number": n, "sales": from_cents(v[0]), "potentialPayout": from_cents(v[1])} for n, v in heat.items()],
        "meta": meta(q, etag, started, 1),
    }


MONTHS_ES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre",
             "diciembre")


async def month_to_date(session: AsyncSession, q: DashQuery, etag: str, timezone: str) -> dict[str, Any]:
    """:func:`ganancia` of ``q`` (the current month up to today) with the month described in ``meta``
    (``fromDate``, ``toDate``, ``timezone``, ``monthName``, ``description``; contract row 71)."""
    out = await ganancia(session, q, etag)
    month = f"{MONTHS_ES[q.period.start.month - 1]} {q.period.start.year}"
    out["meta"] |= {"fromDate": q.period.start.isoformat(), "toDate": q.period.end.isoformat(), "timezone": timezone,
                    "monthName": month,
                    "description": f"Ganancia del 1 al {q.period.end.day} de {month} (mes en curso hasta hoy)"}
    return out


# ---- the dashboard -------------------------------------------------------------------------------------


def _kpis(r: dict[str, int], winners: int) -> dict[str, Any]:
    net = r["sales_cents"] - r["payouts_cents"] - r["listero_commission_cents"]
    return {
        "totalSales": from_cents(r["sales_cents"]), "totalTickets": r["ticket_count"], "totalWinners": winners,
        "totalCommissions": from_cents(r["listero_commission_cents"]), "totalPayouts": from_cents(r["payouts_cents"]),
        "netProfit": from_cents(net), "winRate": percent(winners, r["ticket_count"]), "margin": percent(net, r["sales_cents"]),
    }


def _alert(kind: str, severity: str, message: str, action: str, entity: dict[str, str] | None, value: Decimal,
           threshold: Decimal, now: datetime) -> dict[str, Any]:
    ident = f"{kind}:{entity['id'] if entity else 'global'}"
    return {"id": ident, "type": kind, "severity": severity, "message": message, "suggestedAction": action, "entity": entity,
            "value": value, "threshold": threshold, "timestamp": now}


def _summary(by_ventana: dict[tuple[str, str], dict[str, dict[str, int]]], sign: int) -> dict[str, Any]:
    period = [sign * remaining_cents(w["p"], "ventana") for w in by_ventana.values()]
    month = [sign * remaining_cents(w["m"], "ventana") for w in by_ventana.values()]
    return {"totalAmount": from_cents(sum(x for x in period if x > 0)), "count": sum(1 for x in period if x > 0),
            "saldoAHoy": from_cents(sum(x for x in month if x > 0)), "saldoAHoyCount": sum(1 for x in month if x > 0)}


async def dashboard(session: AsyncSession, q: DashQuery, etag: str, *, cxc_threshold: Decimal, low_margin: Decimal,
                    now: datetime) -> dict[str, Any]:
    """``{kpis{…, previousPeriod}, cxc, cxp, ganancia, byVentana[], alerts[], meta}`` of the period (see the module rules).

    ``cxc``/``cxp``: ``{totalAmount, count}`` of the ventanas' period balances and ``saldoAHoy`` (the
    sum of the ventanas' positive/negative month balances). Alerts: ``HIGH_CXC`` per ventana whose
    CxC of the period exceeds ``DASHBOARD_CXC_ALERT_THRESHOLD``; ``LOW_MARGIN`` when the period's
    margin is below ``DASHBOARD_LOW_MARGIN_PERCENT`` (with sales).
    """
    started = time.perf_counter()
    sums = await _entity_sums(session, q, {"p": q.period, "m": q.month, "q": q.previous}, "ventana")
    if q.loteria_ids:  # the tickets of those loterías
        win, prev_winners = await repo.winners_and_previous(session, q.period, q.previous, q.ventana_id, q.loteria_ids)
    else:  # the rollup's winner count (kept by the evaluation, reconciled with the tickets)
        win = {ven: w["p"]["winner_count"] for (ven, _), w in sums.items() if w["p"]["winner_count"]}
        prev_winners = sum(w["q"]["winner_count"] for w in sums.values())
    ventanas = await repo.ventanas(session, q.ventana_id)
    total, prev = _sum(w["p"] for w in sums.values()), _sum(w["q"] for w in sums.values())
    kpis = _kpis(total, sum(win.values()))
    kpis["previousPeriod"] = _kpis(prev, prev_winners)
    by_ventana, alerts = [], []
    for (ven, _), w in sorted(sums.items(), key=lambda kw: (-kw[1]["p"]["sales_cents"], kw[0])):
        p = w["p"]
        if not any(p.values()) and not any(w["m"].values()):
            continue
        code, name, _active = ventanas.get(ven, (ven, ven, True))
        rem = remaining_cents(p, "ventana")
        net = p["sales_cents"] - p["payouts_cents"] - p["listero_commission_cents"]
        by_ventana.append({
            "ventanaId": ven, "ventanaName": name, "ventanaCode": code, "sales": from_cents(p["sales_cents"]),
            "payout": from_cents(p["payouts_cents"]), "commissions": from_cents(p["listero_commission_cents"]),
            "netProfit": from_cents(net), "margin": percent(net, p["sales_cents"]), "tickets": p["ticket_count"],
            "winners": win.get(ven, 0), "winRate": percent(win.get(ven, 0), p["ticket_count"]),
            "cxc": from_cents(max(rem, 0)), "cxp": from_cents(max(-rem, 0)), "remainingBalance": from_cents(rem),
            "saldoAHoy": from_cents(remaining_cents(w["m"], "ventana")),
        })
        if from_cents(rem) > cxc_threshold:
            alerts.append(_alert("HIGH_CXC", "HIGH" if from_cents(rem) > 2 * cxc_threshold else "MEDIUM",
                                 f"La ventana {name} debe ₡{from_cents(rem):,} a la banca en el período.",
                                 "Registrar un cobro a la ventana.", {"type": "ventana", "id": ven, "name": name},
                                 from_cents(rem), cxc_threshold, now))
    if total["sales_cents"] and kpis["margin"] < low_margin:
        alerts.append(_alert("LOW_MARGIN", "HIGH" if kpis["margin"] < 0 else "MEDIUM",
                             f"El margen del período es {kpis['margin']} %.", "Revisar premios y comisiones del período.",
                             None, kpis["margin"], low_margin, now))
    g = profit("global", "global", "global", total)
    return {
        "kpis": kpis,
        "cxc": _summary(sums, 1), "cxp": _summary(sums, -1),
        "ganancia": {k: g[k] for k in ("sales", "payout", "commissions", "netProfit", "margin")},
        "byVentana": by_ventana, "alerts": alerts, "meta": meta(q, etag, started, 4),
    }


# ---- timeseries -------------------------------------------------------------------------------------------


def _point(moment: datetime, r: dict[str, int], winners: int) -> dict[str, Any]:
    return {"timestamp": moment, "sales": from_cents(r["sales_cents"]), "commissions": from_cents(r["listero_commission_cents"]),
            "tickets": r["ticket_count"], "winners": winners, "payout": from_cents(r["payouts_cents"])}


async def _series(session: AsyncSession, q: DashQuery, window: DateRange, granularity: str) -> list[dict[str, Any]]:
    from taquilla.network.ventas.service import start_utc

    if granularity == "hour" or q.loteria_ids:
        rows = await repo.ticket_series(session, window, q.ventana_id, q.loteria_ids, granularity)
        if granularity == "hour":
            return [_point(start_utc(b), r, w) for b, r, w in rows]
        by_day = {b: (r, w) for b, r, w in rows}
    else:
        sums = await repo.sums_by_day(session, window, q.ventana_id)
        by_day = {d: (r, r["winner_count"]) for d, r in sums.items()}  # the rollup's winner count
    days = window.days() if (window.end - window.start).days < 1000 else sorted(by_day)
    if granularity == "week":
        weeks: dict[date, tuple[dict[str, int], int]] = {}
        for d in days:
            monday = d - timedelta(days=d.weekday())
            r, w = by_day.get(d, (rollup.zero(), 0))
            acc, n = weeks.get(monday, (rollup.zero(), 0))
            weeks[monday] = (_sum([acc, r]), n + w)
        return [_point(start_utc(m), r, w) for m, (r, w) in sorted(weeks.items())]
    return [_point(start_utc(d), *by_day.get(d, (rollup.zero(), 0))) for d in days]


async def timeseries(session: AsyncSession, q: DashQuery, etag: str, granularity: str, compare: bool) -> dict[str, Any]:
    """``{data[{timestamp,sales,commissions,tickets,winners,payout}], granularity, comparison?, meta}``.

    ``day``/``week``: every CR day / Monday-week of the period (zeros included), from the rollup;
    ``hour``: the CR hours with sales, from the tickets. ``comparison`` (``compare=true``): the same
    series over the previous period. ``timestamp`` = the bucket's start as a UTC instant.
    """
    started = time.perf_counter()
    out: dict[str, Any] = {"data": await _series(session, q, q.period, granularity), "granularity": granularity}
    if compare:
        out["comparison"] = await _series(session, q, q.previous, granularity)
    out["meta"] = meta(q, etag, started, 4 if compare else 2)
    return out
