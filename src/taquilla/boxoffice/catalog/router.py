"""HTTP routes of the box office catalog under ``/api/v1/boxoffice``: locations, location
sections, presentations, price zones (``presentation-sections``) and zone items.

Writes need an ADMIN token, reads any token. Every route answers in the envelope with the
schema named in its ``response_model``; amounts are exact (Decimal via ``TaquillaJSONResponse``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query

from taquilla.boxoffice.catalog import service
from taquilla.boxoffice.catalog.schemas import (
    Deleted,
    LocationIn,
    LocationOut,
    LocationPatch,
    LocationSectionIn,
    LocationSectionOut,
    LocationSectionPatch,
    PresentationIn,
    PresentationOut,
    PresentationPatch,
    PresentationSectionIn,
    PresentationSectionItemIn,
    PresentationSectionItemOut,
    PresentationSectionOut,
    PresentationSectionPatch,
)
from taquilla.boxoffice.context import BoxOfficeDep
from taquilla.core.db import SessionDep
from taquilla.core.ids import CLIENT_ID_PATTERN
from taquilla.core.pagination import PageDep
from taquilla.core.responses import (
    Envelope,
    ListEnvelope,
    created,
    error_responses,
    ok,
    ok_page,
)
from taquilla.core.routing import context_router
from taquilla.core.security import AdminPrincipal, CurrentPrincipal

router = context_router(prefix="/api/v1/boxoffice", tags=["box office"])

IdPath = Annotated[str, Path(pattern=CLIENT_ID_PATTERN)]
IdQuery = Annotated[str | None, Query(pattern=CLIENT_ID_PATTERN)]
TextQuery = Annotated[str | None, Query(min_length=1, max_length=100)]

LIST = error_responses(400, 401)
READ = error_responses(400, 401, 404)
WRITE = error_responses(400, 401, 403, 404, 409)


def _deleted(row_id: str) -> Any:
    return ok(Deleted(id=row_id))


# --------------------------------------------------------------- locations


@router.post("/locations", status_code=201, response_model=Envelope[LocationOut], responses=error_responses(400, 401, 403, 409))
async def create_location(body: LocationIn, _: AdminPrincipal, session: SessionDep, ctx: BoxOfficeDep) -> Any:
    """Create a venue (ADMIN). ``id`` optional (``loc_…``); the name is unique ignoring case."""
    return created(LocationOut.model_validate(await service.create_location(session, ctx, body)))


@router.get("/locations", response_model=ListEnvelope[LocationOut], responses=LIST)
async def list_locations(_: CurrentPrincipal, session: SessionDep, page: PageDep, name: TextQuery = None) -> Any:
    """Venues by name; ``name`` filters (case-insensitive, contains)."""
    total, rows = await service.list_locations(session, name, page.offset, page.limit)
    return ok_page([LocationOut.model_validate(r) for r in rows], page, total)


@router.get("/locations/{location_id}", response_model=Envelope[LocationOut], responses=READ)
async def get_location(location_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> Any:
    """One venue."""
    return ok(LocationOut.model_validate(await service.get(session, service.LOCATION, location_id)))


@router.patch("/locations/{location_id}", response_model=Envelope[LocationOut], responses=WRITE)
async def update_location(location_id: IdPath, body: LocationPatch, _: AdminPrincipal, session: SessionDep, ctx: BoxOfficeDep) -> Any:
    """Change a venue (ADMIN)."""
    return ok(LocationOut.model_validate(await service.update_location(session, ctx, location_id, body)))


@router.delete("/locations/{location_id}", response_model=Envelope[Deleted], responses=WRITE)
async def delete_location(location_id: IdPath, _: AdminPrincipal, session: SessionDep, ctx: BoxOfficeDep) -> Any:
    """Delete a venue without sections or presentations (ADMIN); 409 ``LOCATION_IN_USE`` otherwise."""
    await service.delete_location(session, ctx, location_id)
    return _deleted(location_id)


# ------------------------------------------------------- location sections


@router.post("/location-sections", status_code=201, response_model=Envelope[LocationSectionOut], responses=WRITE)
async def create_location_section(body: LocationSectionIn, _: AdminPrincipal, session: SessionDep, ctx: BoxOfficeDep) -> Any:
    """Create a section (ADMIN): numbered (``indexPrefix``, ``indexFrom``..``indexTo``) or general (``capacity``)."""
    return created(LocationSectionOut.model_validate(await service.create_location_section(session, ctx, body)))


@router.get("/location-sections", response_model=ListEnvelope[LocationSectionOut], responses=LIST)
async def list_location_sections(_: CurrentPrincipal, session: SessionDep, page: PageDep, locationId: IdQuery = None) -> Any:
    """Sections, by location then ``sort``."""
    total, rows = await service.list_sections(session, locationId, page.offset, page.limit)
    return ok_page([LocationSectionOut.model_validate(r) for r in rows], page, total)


@router.get("/location-sections/{section_id}", response_model=Envelope[LocationSectionOut], responses=READ)
async def get_location_section(section_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> Any:
    """One section."""
    return ok(LocationSectionOut.model_validate(await service.get(session, service.SECTION, section_id)))


@router.patch("/location-sections/{section_id}", response_model=Envelope[LocationSectionOut], responses=WRITE)
async def update_location_section(
    section_id: IdPath, body: LocationSectionPatch, _: AdminPrincipal, session: SessionDep, ctx: BoxOfficeDep
) -> Any:
    """Change a section (ADMIN); 409 ``SECTION_HAS_SALES`` when its layout changes after sales."""
    return ok(LocationSectionOut.model_validate(await service.update_location_section(session, ctx, section_id, body)))


@router.delete("/location-sections/{section_id}", response_model=Envelope[Deleted], responses=WRITE)
async def delete_location_section(section_id: IdPath, _: AdminPrincipal, session: SessionDep, ctx: BoxOfficeDep) -> Any:
    """Delete a section no zone sells (ADMIN)."""
    await service.delete_location_section(session, ctx, section_id)
    return _deleted(section_id)


# ----------------------------------------------------------- presentations


@router.post("/presentations", status_code=201, response_model=Envelope[PresentationOut], responses=WRITE)
async def create_presentation(body: PresentationIn, _: AdminPrincipal, session: SessionDep, ctx: BoxOfficeDep) -> Any:
    """Create a show at a location (ADMIN)."""
    return created(PresentationOut.model_validate(await service.create_presentation(session, ctx, body)))


@router.get("/presentations", response_model=ListEnvelope[PresentationOut], responses=LIST)
async def list_presentations(
    _: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    locationId: IdQuery = None,
    title: TextQuery = None,
    performer: TextQuery = None,
) -> Any:
    """Presentations by title; filters by location, title and performer (case-insensitive, contains)."""
    total, rows = await service.list_presentations(session, locationId, title, performer, page.offset, page.limit)
    return ok_page([PresentationOut.model_validate(r) for r in rows], page, total)


@router.get("/presentations/{presentation_id}", response_model=Envelope[PresentationOut], responses=READ)
async def get_presentation(presentation_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> Any:
    """One presentation."""
    return ok(PresentationOut.model_validate(await service.get(session, service.PRESENTATION, presentation_id)))


@router.patch("/presentations/{presentation_id}", response_model=Envelope[PresentationOut], responses=WRITE)
async def update_presentation(
    presentation_id: IdPath, body: PresentationPatch, _: AdminPrincipal, session: SessionDep, ctx: BoxOfficeDep
) -> Any:
    """Change a presentation (ADMIN)."""
    return ok(PresentationOut.model_validate(await service.update_presentation(session, ctx, presentation_id, body)))


@router.delete("/presentations/{presentation_id}", response_model=Envelope[Deleted], responses=WRITE)
async def delete_presentation(presentation_id: IdPath, _: AdminPrincipal, session: SessionDep, ctx: BoxOfficeDep) -> Any:
    """Delete a presentation without zones or events (ADMIN)."""
    await service.delete_presentation(session, ctx, presentation_id)
    return _deleted(presentation_id)


# ------------------------------------------------------------------ zones


@router.post("/presentation-sections", status_code=201, response_model=Envelope[PresentationSectionOut], responses=WRITE)
async def create_zone(body: PresentationSectionIn, _: AdminPrincipal, session: SessionDep, ctx: BoxOfficeDep) -> Any:
    """Create a price zone of a presentation (ADMIN); ``price`` in major units."""
    return created(PresentationSectionOut.model_validate(await service.create_zone(session, ctx, body)))


@router.get("/presentation-sections", response_model=ListEnvelope[PresentationSectionOut], responses=LIST)
async def list_zones(_: CurrentPrincipal, session: SessionDep, page: PageDep, presentationId: IdQuery = None) -> Any:
    """Price zones, by presentation then ``sort``."""
    total, rows = await service.list_zones(session, presentationId, page.offset, page.limit)
    return ok_page([PresentationSectionOut.model_validate(r) for r in rows], page, total)


@router.get("/presentation-sections/{zone_id}", response_model=Envelope[PresentationSectionOut], responses=READ)
async def get_zone(zone_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> Any:
    """One price zone."""
    return ok(PresentationSectionOut.model_validate(await service.get(session, service.ZONE, zone_id)))


@router.patch("/presentation-sections/{zone_id}", response_model=Envelope[PresentationSectionOut], responses=WRITE)
async def update_zone(zone_id: IdPath, body: PresentationSectionPatch, _: AdminPrincipal, session: SessionDep, ctx: BoxOfficeDep) -> Any:
    """Change a zone (ADMIN); tickets already sold keep their price."""
    return ok(PresentationSectionOut.model_validate(await service.update_zone(session, ctx, zone_id, body)))


@router.delete("/presentation-sections/{zone_id}", response_model=Envelope[Deleted], responses=WRITE)
async def delete_zone(zone_id: IdPath, _: AdminPrincipal, session: SessionDep, ctx: BoxOfficeDep) -> Any:
    """Delete a zone without items or tickets (ADMIN)."""
    await service.delete_zone(session, ctx, zone_id)
    return _deleted(zone_id)


# ------------------------------------------------------------------ items


@router.post("/presentation-section-items", status_code=201, response_model=Envelope[PresentationSectionItemOut], responses=WRITE)
async def create_item(body: PresentationSectionItemIn, _: AdminPrincipal, session: SessionDep, ctx: BoxOfficeDep) -> Any:
    """Let a zone sell a location section of the presentation's location (ADMIN)."""
    return created(PresentationSectionItemOut.model_validate(await service.create_item(session, ctx, body)))


@router.get("/presentation-section-items", response_model=ListEnvelope[PresentationSectionItemOut], responses=LIST)
async def list_items(
    _: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    presentationSectionId: IdQuery = None,
    locationSectionId: IdQuery = None,
) -> Any:
    """Zone items, filtered by zone and/or location section."""
    total, rows = await service.list_items(session, presentationSectionId, locationSectionId, page.offset, page.limit)
    return ok_page([PresentationSectionItemOut.model_validate(r) for r in rows], page, total)


@router.get("/presentation-section-items/{item_id}", response_model=Envelope[PresentationSectionItemOut], responses=READ)
async def get_item(item_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> Any:
    """One zone item."""
    return ok(PresentationSectionItemOut.model_validate(await service.get(session, service.ITEM, item_id)))


@router.delete("/presentation-section-items/{item_id}", response_model=Envelope[Deleted], responses=WRITE)
async def delete_item(item_id: IdPath, _: AdminPrincipal, session: SessionDep, ctx: BoxOfficeDep) -> Any:
    """Delete a zone item no ticket used (ADMIN)."""
    await service.delete_item(session, ctx, item_id)
    return _deleted(item_id)
