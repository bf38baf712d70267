"""Every query of the box office catalog: venues, sections, shows, zones and items (ORM throughout)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.boxoffice.models import (
    Event,
    Location,
    LocationSection,
    Presentation,
    PresentationSection,
    PresentationSectionItem,
    TicketDetail,
)
from taquilla.core.queries import contains, paginate

# ------------------------------------------------------------------ generic


async def exists_where(session: AsyncSession, model: type, *conds: Any) -> bool:
    """True when a row of ``model`` matches ``conds``."""
    return bool(await session.scalar(select(exists().where(*conds)).select_from(model)))


async def page(
    session: AsyncSession, model: type, filters: dict[str, Any], text_filters: dict[str, str | None], order: Sequence[Any], offset: int, limit: int
) -> tuple[int, list[Any]]:
    """``(total, one page)`` of ``model`` rows: equality ``filters`` (None skipped), escaped ILIKE ``text_filters``, ``order``."""
    stmt = select(model)
    for column, value in filters.items():
        if value is not None:
            stmt = stmt.where(getattr(model, column) == value)
    for column, value in text_filters.items():
        if value:
            stmt = stmt.where(contains(getattr(model, column), value))
    return await paginate(session, stmt.order_by(*order), offset, limit)


def _except(conds: list[Any], column: Any, except_id: str | None) -> list[Any]:
    return [*conds, column != except_id] if except_id else conds


# ------------------------------------------------------------- uniqueness


async def location_name_taken(session: AsyncSession, name: str, except_id: str | None = None) -> bool:
    """A location other than ``except_id`` is named ``name`` (ignoring case)."""
    return await exists_where(session, Location, *_except([func.lower(Location.name) == name.lower()], Location.id, except_id))


async def section_name_taken(session: AsyncSession, location_id: str, name: str, except_id: str | None = None) -> bool:
    """Another section of the location is named ``name``."""
    conds = [LocationSection.location_id == location_id, LocationSection.name == name]
    return await exists_where(session, LocationSection, *_except(conds, LocationSection.id, except_id))


async def overlapping_numbered_section(
    session: AsyncSession, location_id: str, prefix: str, index_from: int, index_to: int, except_id: str | None = None
) -> LocationSection | None:
    """A numbered section of the location whose seat codes would collide (same prefix, ranges overlap)."""
    conds = [
        LocationSection.location_id == location_id,
        LocationSection.index_prefix == prefix,
        LocationSection.index_from <= index_to,
        LocationSection.index_to >= index_from,
    ]
    return (await session.scalars(select(LocationSection).where(*_except(conds, LocationSection.id, except_id)).limit(1))).first()


async def presentation_title_taken(session: AsyncSession, location_id: str, title: str, except_id: str | None = None) -> bool:
    """Another presentation at the location has ``title``."""
    conds = [Presentation.location_id == location_id, Presentation.title == title]
    return await exists_where(session, Presentation, *_except(conds, Presentation.id, except_id))


async def zone_name_taken(session: AsyncSession, presentation_id: str, name: str, except_id: str | None = None) -> bool:
    """Another zone of the presentation is named ``name``."""
    conds = [PresentationSection.presentation_id == presentation_id, PresentationSection.name == name]
    return await exists_where(session, PresentationSection, *_except(conds, PresentationSection.id, except_id))


async def item_exists(session: AsyncSession, zone_id: str, section_id: str) -> bool:
    """The zone already sells the location section."""
    return await exists_where(
        session,
        PresentationSectionItem,
        PresentationSectionItem.presentation_section_id == zone_id,
        PresentationSectionItem.location_section_id == section_id,
    )


# ------------------------------------------------------------------ usage


async def section_has_live_sales(session: AsyncSession, section_id: str) -> bool:
    """A live (not cancelled) ticket line uses the location section."""
    return await exists_where(session, TicketDetail, TicketDetail.location_section_id == section_id, TicketDetail.cancelled.is_(False))


async def events_of_presentation(session: AsyncSession, presentation_id: str) -> list[str]:
    """Ids of the presentation's events."""
    return list((await session.scalars(select(Event.id).where(Event.presentation_id == presentation_id))).all())


async def events_selling_section(session: AsyncSession, section_id: str) -> list[str]:
    """Ids of the events whose presentation sells ``section_id``."""
    stmt = (
        select(Event.id)
        .join(PresentationSection, PresentationSection.presentation_id == Event.presentation_id)
        .join(PresentationSectionItem, PresentationSectionItem.presentation_section_id == PresentationSection.id)
        .where(PresentationSectionItem.location_section_id == section_id)
        .distinct()
    )
    return list((await session.scalars(stmt)).all())
