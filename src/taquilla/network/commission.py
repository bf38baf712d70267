"""Commission policies (DOMAIN.md "Commissions"): resolved at sale time, frozen on each jugada.

A policy (stored as JSONB on a banca, ventana or vendedor) is ``{"percent": 10, "rules":
[{"loteriaId": "lot_x", "betType": "REVENTADO", "percent": 12}]}``.

* the **vendedor's** percent: the vendedor's policy → its ventana's → the banca's;
* the **listero's** percent: the ventana's policy → the banca's;
* within one policy the most specific matching rule wins (lotería + bet type > lotería >
  bet type), then the policy's ``percent``; a policy with neither defers to the next level;
  no level answers → 0 %;
* ``commission cents = round_half_up(amount_cents × percent / 100)``.

A later policy change never rewrites sold jugadas: they keep their percent and cents.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from taquilla.network.schemas import CommissionPolicy

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


def resolve_percent(policies: list[Policy], loteria_id: str, bet_type: str) -> Decimal:
    """The percent of the first policy (in fallback order) with a matching rule or a default; else 0."""
    for policy in policies:
        if not policy:
            continue
        best, best_score = None, -1
        for rule in policy.get("rules") or []:
            if rule.get("loteriaId") not in (None, loteria_id) or rule.get("betType") not in (None, bet_type):
                continue
            score = (2 if rule.get("loteriaId") else 0) + (1 if rule.get("betType") else 0)
            if score > best_score:
                best, best_score = rule, score
        if best is not None:
            return Decimal(str(best["percent"]))
        if policy.get("percent") is not None:
            return Decimal(str(policy["percent"]))
    return Decimal(0)


def sale_percents(
    vendedor: Policy, ventana: Policy, banca: Policy, loteria_id: str, bet_type: str
) -> tuple[Decimal, Decimal]:
    """``(vendedor %, listero %)`` of one jugada: vendedor → ventana → banca, and ventana → banca."""
    return (
        resolve_percent([vendedor, ventana, banca], loteria_id, bet_type),
        resolve_percent([ventana, banca], loteria_id, bet_type),
    )


def percent_of(cents: int, percent: Decimal) -> int:
    """``round_half_up(cents × percent / 100)`` in integer cents."""
    return int((Decimal(cents) * percent / HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_UP))
