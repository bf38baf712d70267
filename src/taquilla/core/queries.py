"""Query helpers shared by every context's repository: one page of a select, escaped text search."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession


async def paginate(session: AsyncSession, stmt: Select[Any], offset: int, limit: int, *order: Any) -> tuple[int, list[Any]]:
    """``(total rows of stmt, one page of entities)``; ``order`` (if given) replaces ``stmt``'s ordering."""
    total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    if order:
        stmt = stmt.order_by(None).order_by(*order)
    rows = (await session.scalars(stmt.offset(offset).limit(limit))).all()
    return total, list(rows)


def escape_like(value: str) -> str:
    """``value`` with ``\\``, ``%`` and ``_`` escaped for ``ILIKE … ESCAPE '\\'`` (never a pattern from input)."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(column: Any, value: str) -> Any:
    """Case-insensitive "contains ``value``" on ``column`` with the input escaped."""
    return column.ilike(f"%{escape_like(value)}%", escape="\\")
