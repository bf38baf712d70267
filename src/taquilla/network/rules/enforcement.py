"""Enforcement of restrictions at sale (DOMAIN.md "Ticket": limits per bet and per number per sorteo).

The sale reads the active restrictions of its vendedor (user), ventana and banca in its one
context statement (``sales.repository.SALE_CONTEXT_SQL``, a JSON array); this module picks,
for each number of the ticket and each limit, the rule that applies:

* a rule applies when active, its ``appliesToDate`` (CR) is empty or today, its ``appliesToHour``
  (CR, 0–23) is empty or the current hour, and its ``number`` is empty or the jugada's number;
* **the most specific rule wins, limit by limit**: user (3) > ventana (2) > banca (1), then a
  rule on the number > a rule on every number; a rule without that limit defers to the next;
* ``maxAmount`` bounds each jugada, ``salesCutoffMinutes`` moves the sale's end to
  ``scheduledAt − minutes`` when earlier than the sorteo's own cutoff, ``maxTotal`` bounds the
  cents sold on the number in the sorteo by the rule's own scope (checked by the sale on the sums its
  write returns under the per-number row locks of ``network_number_sales`` — a banca rule's under the
  shared limit lock its context statement takes —,
  :func:`taquilla.network.sales.service._check_number_limits`).

Refusals are 409 and name the rule and the number (``details.ruleId``, ``details.number``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from taquilla.core.errors import Conflict
from taquilla.core.money import from_cents

CR = ZoneInfo("America/Costa_Rica")


@dataclass(frozen=True, slots=True)
class Rule:
    """One active restriction as the sale reads it (cents; ``level`` 3 user, 2 ventana, 1 banca)."""

    id: str
    level: int
    number: str | None
    max_amount: int | None
    max_total: int | None
    cutoff_minutes: int | None
    applies_to_date: str | None
    applies_to_hour: int | None

    @classmethod
    def of(cls, raw: dict[str, Any]) -> Rule:
        return cls(raw["id"], int(raw["level"]), raw["number"], raw["maxAmount"], raw["maxTotal"], raw["cutoff"],
                   raw["date"], raw["hour"])

    def rank(self) -> tuple[int, int]:
        return self.level, 1 if self.number is not None else 0


def parse_rules(raw: str | list[dict[str, Any]] | None) -> list[Rule]:
    """The restrictions of the sale context (a JSON array from PostgreSQL, or None)."""
    if not raw:
        return []
    return [Rule.of(r) for r in (json.loads(raw) if isinstance(raw, str) else raw)]


def winning_rule(rules: list[Rule], number: str | None, attr: str) -> Rule | None:
    """The most specific rule that sets ``attr`` and applies to ``number`` (None: any number's rules only)."""
    best: Rule | None = None
    for r in rules:
        if getattr(r, attr) is None or r.number not in (None, number):
            continue
        if best is None or r.rank() > best.rank():
            best = r
    return best


def check_restrictions(
    raw_rules: str | None, lines: list[tuple[str, int, str]], now: datetime, scheduled_at: datetime
) -> dict[str, Rule]:
    """Check ``maxAmount`` and ``salesCutoffMinutes`` of the applicable rules; return, per number of the
    ticket, the rule whose ``maxTotal`` applies (for the locked check).

    ``lines`` are ``(number, cents, type)``; ``now`` the sale instant (UTC). Raises Conflict
    ``RESTRICTION_AMOUNT_EXCEEDED`` / ``SALES_CLOSED`` (with ``ruleId`` and ``number``).
    """
    local = now.astimezone(CR)
    today, hour = local.date().isoformat(), local.hour
    rules = [r for r in parse_rules(raw_rules)
             if r.applies_to_date in (None, today) and r.applies_to_hour in (None, hour)]
    if not rules:
        return {}
    numbers = sorted({n for n, _, _ in lines})
    for number in numbers:
        cutoff = winning_rule(rules, number, "cutoff_minutes")
        if cutoff is not None and now >= scheduled_at - timedelta(minutes=cutoff.cutoff_minutes or 0):
            raise Conflict(
                f"Restriction {cutoff.id}: sales of number {number} close {cutoff.cutoff_minutes} minutes before the draw.",
                code="SALES_CLOSED", details={"ruleId": cutoff.id, "number": number},
            )
    for number, cents, _ in lines:
        rule = winning_rule(rules, number, "max_amount")
        if rule is not None and rule.max_amount is not None and cents > rule.max_amount:
            raise Conflict(
                f"Restriction {rule.id}: a bet on {number} may not exceed {from_cents(rule.max_amount):.2f}.",
                code="RESTRICTION_AMOUNT_EXCEEDED",
                details={"ruleId": rule.id, "number": number, "maxAmount": from_cents(rule.max_amount)},
            )
    totals = {}
    for number in numbers:
        rule = winning_rule(rules, number, "max_total")
        if rule is not None:
            totals[number] = rule
    return totals
