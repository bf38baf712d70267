"""Commission policies (DOMAIN.md "Commissions"): resolved at sale time, frozen on each jugada.

A policy is stored as JSONB on a banca, ventana or vendedor, in one of two shapes:

* the earlier one, always in force: ``{"percent": 10, "rules": [{"loteriaId": "lot_x",
  "betType": "REVENTADO", "percent": 12}]}``;
* the front end's, **versioned**: ``{"versions": [{"version": 1, "effectiveFrom": ISO|null,
  "effectiveTo": ISO|null, "defaultPercent": 10, "rules": [{"id", "loteriaId", "betType",
  "multiplierRange": {"min", "max"}, "percent"}]}, …]}`` — each ``PUT …/commission-policy``
  appends a version; a sale uses the version in force at the sale instant
  (``effectiveFrom ≤ t < effectiveTo``; of several, the latest ``effectiveFrom``).

Resolution:

* the **vendedor's** percent: the vendedor's policy → its ventana's → the banca's;
* the **listero's** percent: the ventana's policy → the banca's;
* within one policy (version) the most specific matching rule wins: lotería (4) + bet type (2)
  + multiplier range (1, the jugada's multiplier inside ``[min, max]``); ties → the first
  rule; then the default percent; a policy with neither (or no version in force) defers to
  the next level; no level answers → 0 %;
* ``commission cents = round_half_up(amount_cents × percent / 100)``.

A malformed policy is refused on write (400, :class:`taquilla.network.schemas.CommissionPolicyJson`),
never read as 0 % at sale. A later policy change never rewrites sold jugadas.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from taquilla.core.periods import CR_TZ
from taquilla.network.schemas import CommissionPolicy, CommissionPolicyJson

HUNDRED = Decimal(100)
Policy = dict[str, Any] | None


def policy_json(policy: CommissionPolicy | None) -> Policy:
    """A policy as stored (JSONB): percents as JSON numbers; None stays None."""
    if policy is None:
        return None
    return {
        "percent": float(policy.percent) if policy.percent is not None else None,
        "rules": [
            {"loteriaId": r.loteriaId, "betType": r.betType, "percent": float(r.percent)} for r in policy.rules
        ],
    }


def _numbers(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)  # ≤ 3 decimals (percent) / 2 (multiplier): exact through str() at resolution
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def version_json(policy: CommissionPolicyJson) -> dict[str, Any]:
    """One version of the front end's policy as stored (percents and bounds as JSON numbers, instants ISO)."""
    return _numbers(policy.model_dump())


def with_version(stored: Policy, policy: CommissionPolicyJson) -> dict[str, Any]:
    """``stored`` with ``policy`` appended as its newest version (an earlier-shape policy is kept as the first version)."""
    versions = list((stored or {}).get("versions") or [])
    if stored and "versions" not in stored:
        versions.append({"version": 1, "effectiveFrom": None, "effectiveTo": None, "defaultPercent": stored.get("percent"),
                         "rules": stored.get("rules") or []})
    versions.append(version_json(policy))
    return {"versions": versions}


def current_version(stored: Policy, at: datetime | None = None) -> dict[str, Any] | None:
    """The version in force at ``at`` (default: the newest version), in the front end's shape; None without one."""
    if not stored:
        return None
    if "versions" not in stored:
        return {"version": 1, "effectiveFrom": None, "effectiveTo": None, "defaultPercent": stored.get("percent"),
                "rules": stored.get("rules") or []}
    versions = stored["versions"]
    if at is None:
        return versions[-1] if versions else None
    return _in_force(versions, at)


def _instant(value: str | None) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=CR_TZ)


def _in_force(versions: list[dict[str, Any]], at: datetime) -> dict[str, Any] | None:
    best, best_from = None, None
    for v in versions:
        start, end = _instant(v.get("effectiveFrom")), _instant(v.get("effectiveTo"))
        if (start is not None and at < start) or (end is not None and at >= end):
            continue
        key = start or datetime.min.replace(tzinfo=CR_TZ)
        if best is None or key >= best_from:  # type: ignore[operator]
            best, best_from = v, key
    return best


def _level(policy: Policy, at: datetime | None) -> tuple[list[dict[str, Any]], Any] | None:
    """``(rules, default percent)`` of the policy (version) in force at ``at``; None when none is."""
    if not policy:
        return None
    if "versions" in policy:
        version = _in_force(policy["versions"], at) if at is not None else (policy["versions"] or [None])[-1]
        return None if version is None else (version.get("rules") or [], version.get("defaultPercent"))
    return policy.get("rules") or [], policy.get("percent")


def resolve_percent(
    policies: list[Policy], loteria_id: str, bet_type: str, at: datetime | None = None, multiplier_x: Decimal | None = None
) -> Decimal:
    """The percent of the first policy (in fallback order) with a matching rule or a default; else 0."""
    for policy in policies:
        level = _level(policy, at)
        if level is None:
            continue
        rules, default = level
        best, best_score = None, -1
        for rule in rules:
            if rule.get("loteriaId") not in (None, loteria_id) or rule.get("betType") not in (None, bet_type):
                continue
            bounds = rule.get("multiplierRange")
            if bounds is not None and (
                multiplier_x is None or not Decimal(str(bounds["min"])) <= multiplier_x <= Decimal(str(bounds["max"]))
            ):
                continue
            score = (4 if rule.get("loteriaId") else 0) + (2 if rule.get("betType") else 0) + (1 if bounds else 0)
            if score > best_score:
                best, best_score = rule, score
        if best is not None:
            return Decimal(str(best["percent"]))
        if default is not None:
            return Decimal(str(default))
    return Decimal(0)


def sale_percents(
    vendedor: Policy, ventana: Policy, banca: Policy, loteria_id: str, bet_type: str,
    at: datetime | None = None, multiplier_x: Decimal | None = None,
) -> tuple[Decimal, Decimal]:
    """``(vendedor %, listero %)`` of one jugada sold at ``at`` with multiplier ``multiplier_x``:
    vendedor → ventana → banca, and ventana → banca."""
    return (
        resolve_percent([vendedor, ventana, banca], loteria_id, bet_type, at, multiplier_x),
        resolve_percent([ventana, banca], loteria_id, bet_type, at, multiplier_x),
    )


def percent_of(cents: int, percent: Decimal) -> int:
    """``round_half_up(cents × percent / 100)`` in integer cents."""
    return int((Decimal(cents) * percent / HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_UP))
