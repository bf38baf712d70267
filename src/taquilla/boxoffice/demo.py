"""Demo data of this context for ``taquilla demo-data`` (idempotent)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.settings import Settings


async def seed(session: AsyncSession, settings: Settings) -> list[str]:
    """Insert the demo records when missing; return lines to print."""
    return []
