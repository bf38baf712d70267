"""HTTP routes of the director context (seed 000 paths: ``/director/...``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from fastapi import Path, Query, Request
from pydantic import BaseModel

from taquilla.core.db import SessionDep, driver_statement, driver_transaction
from taquilla.core.errors import BadRequest
from taquilla.core.idempotency import IdempotencyDep, idempotency_of
from taquilla.core.ids import CLIENT_ID_PATTERN
from taquilla.core.jsonenc import TaquillaJSONResponse
from taquilla.core.pagination import PageDep
from taquilla.core.responses import (
    Envelope,
    ListEnvelope,
    created,
    envelope,
    error_responses,
    ok,
    ok_page,
)
from taquilla.core.routing import HandResolver, context_router, hand_resolved, valid_body
from taquilla.core.security import AdminPrincipal, CurrentPrincipal, Role, check_roles, principal_of
from taquilla.director import service
from taquilla.director.repository import NewEntry
from taquilla.director.schemas import (
    AssignIn,
    CurrencyBalance,
    EntryOut,
    LedgerEnvelope,
    LedgerOut,
    MovementOut,
    OrganizerIn,
    OrganizerOut,
    OverviewOut,
    PaymentIn,
)

router = context_router(prefix="/director", tags=["director"])

OrganizerIdPath = Annotated[str, Path(pattern=CLIENT_ID_PATTERN, description="organizer id")]


def _ctx(request: Request) -> service.DirectorContext:
    s = request.app.state.settings
    return service.DirectorContext(
        redis=request.app.state.redis,
        refresher=request.app.state.kpi_refresher,
        premium_factor=s.ticket_premium_factor,
        cache_ttl_seconds=s.director_cache_ttl_seconds,
    )


def _movement(entry: NewEntry, balances: list[CurrencyBalance]) -> MovementOut:
    own = next((b.balanceCents for b in balances if b.currency == entry.currency), 0)
    return MovementOut(entry=EntryOut.model_validate(entry), balanceCents=own, balances=balances)


def _write_by_hand(model: type[BaseModel]) -> HandResolver:
    """A director write's arguments without the dependency layer (``core.routing.hand_resolved``), in its
    dependencies' order: ADMIN (401/403), transaction (a :class:`~taquilla.core.db.DriverTransaction`: no ORM
    session; without ``Idempotency-Key`` the single statement's own), ``Idempotency-Key`` claim; an invalid body → FastAPI."""

    async def resolve(request: Request, endpoint: Any) -> Any:
        body = await valid_body(request, model)
        if body is None:
            return None
        actor = check_roles(await principal_of(request), (Role.ADMIN,))
        # The writes are driver SQL only, each one statement that writes nothing when it refuses
        # (repository.INSERT_ASSIGNMENT_SQL / INSERT_PAYMENT_SQL): without an Idempotency-Key that statement is
        # the whole transaction (db.driver_statement, no BEGIN/COMMIT); a key's claim and record need one.
        opened = driver_transaction if "idempotency-key" in request.headers else driver_statement
        async with opened(request) as tx:
            idem = await idempotency_of(request, tx)
            return await endpoint(body=body, actor=actor, session=tx, idem=idem, request=request)

    return resolve


@router.post(
    "/assign", status_code=201, response_model=Envelope[MovementOut], responses=error_responses(400, 401, 403, 404, 409, 422)
)
@hand_resolved(_write_by_hand(AssignIn))
async def assign(body: AssignIn, actor: AdminPrincipal, session: SessionDep, idem: IdempotencyDep, request: Request) -> Any:
    """Allot tickets to an organizer (prepaid or loan). Honours ``Idempotency-Key``."""
    entry, balances = await service.assign(session, _ctx(request), body, actor)
    return await idem.respond(201, _movement(entry, balances))


@router.post(
    "/payments", status_code=201, response_model=Envelope[MovementOut], responses=error_responses(400, 401, 403, 404, 409, 422)
)
@hand_resolved(_write_by_hand(PaymentIn))
async def payment(body: PaymentIn, actor: AdminPrincipal, session: SessionDep, idem: IdempotencyDep, request: Request) -> Any:
    """Record a payment received from an organizer. Honours ``Idempotency-Key``."""
    entry, balances = await service.record_payment(session, _ctx(request), body, actor)
    return await idem.respond(201, _movement(entry, balances))


def _day_start(d: date | None, *, next_day: bool = False) -> datetime | None:
    if d is None:
        return None
    return datetime.combine(d + timedelta(days=1 if next_day else 0), time(0), tzinfo=UTC)


@router.get("/organizers/{organizer_id}/ledger", response_model=LedgerEnvelope, responses=error_responses(400, 401, 403, 404))
async def ledger(
    organizer_id: OrganizerIdPath,
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    eventId: Annotated[str | None, Query(pattern=CLIENT_ID_PATTERN)] = None,  # noqa: N803
    entryType: Literal["assign_prepaid", "assign_loan", "payment"] | None = None,  # noqa: N803
    fromDate: Annotated[date | None, Query(description="UTC date, inclusive")] = None,  # noqa: N803
    toDate: Annotated[date | None, Query(description="UTC date, inclusive")] = None,  # noqa: N803
) -> Any:
    """The organizer's entries newest first, paginated and filtered; ``totals`` cover the whole ledger."""
    service.check_ledger_access(principal, organizer_id)
    if fromDate and toDate and fromDate > toDate:
        raise BadRequest("fromDate must be on or before toDate.", code="INVALID_RANGE")
    organizer, total, rows, totals = await service.ledger(
        session,
        organizer_id,
        offset=page.offset,
        limit=page.limit,
        event_id=eventId,
        entry_type=entryType,
        since=_day_start(fromDate),
        until=_day_start(toDate, next_day=True),
    )
    data = LedgerOut(
        organizerId=organizer.id,
        organizerName=organizer.name,
        entries=[EntryOut.model_validate(e) for e in rows],
        totals=totals,
    )
    return TaquillaJSONResponse(envelope(data, page.block(total)))


@router.get("/overview", response_model=Envelope[OverviewOut], responses=error_responses(401, 403))
async def overview(_: AdminPrincipal, session: SessionDep, request: Request) -> Any:
    """KPIs from the materialized views, cached in Redis (``x-cache: hit|miss``), with ``refreshedAt``."""
    data, hit = await service.overview(session, _ctx(request))
    return ok(data, headers={"x-cache": "hit" if hit else "miss"})


@router.post("/organizers", status_code=201, response_model=Envelope[OrganizerOut], responses=error_responses(400, 401, 403, 409))
async def create_organizer(body: OrganizerIn, _: AdminPrincipal, session: SessionDep) -> Any:
    """Create an organizer (ADMIN); ``id`` is optional (``org_…`` generated)."""
    return created(OrganizerOut.model_validate(await service.create_organizer(session, body.id, body.name, body.email)))


@router.get("/organizers", response_model=ListEnvelope[OrganizerOut], responses=error_responses(400, 401, 403))
async def list_organizers(_: AdminPrincipal, session: SessionDep, page: PageDep) -> Any:
    """Organizers by id (ADMIN), paginated (``meta``)."""
    total, rows = await service.list_organizers(session, page.offset, page.limit)
    return ok_page([OrganizerOut.model_validate(o) for o in rows], page, total)


@router.get("/organizers/{organizer_id}", response_model=Envelope[OrganizerOut], responses=error_responses(401, 403, 404))
async def get_organizer(organizer_id: OrganizerIdPath, principal: CurrentPrincipal, session: SessionDep) -> Any:
    """One organizer (ADMIN, or the organizer itself)."""
    service.check_ledger_access(principal, organizer_id)
    return ok(OrganizerOut.model_validate(await service.get_organizer(session, organizer_id)))
