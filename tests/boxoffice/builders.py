"""Box office test data: a venue with a numbered and a general section, a show with two zones, an event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from taquilla.boxoffice.models import (
    Event,
    Location,
    LocationSection,
    Presentation,
    PresentationSection,
    PresentationSectionItem,
)


@dataclass
class Venue:
    """Ids of one built setup: numbered section ``A{first}..A{last}`` (zone VIP), general section (zone GENERAL)."""

    location_id: str
    numbered_id: str
    general_id: str
    presentation_id: str
    vip_zone_id: str
    vip_item_id: str
    general_zone_id: str
    general_item_id: str
    event_id: str

    def seat(self, index: int) -> dict[str, Any]:
        """A ticket line for numbered seat ``index``."""
        return {"presentationSectionId": self.vip_zone_id, "presentationSectionItemId": self.vip_item_id, "locationSectionIndex": index}

    def general(self) -> dict[str, Any]:
        """A ticket line for one general-admission place."""
        return {"presentationSectionId": self.general_zone_id, "presentationSectionItemId": self.general_item_id}

    def order(self, *lines: dict[str, Any], document: str = "1-1111-1111", **extra: Any) -> dict[str, Any]:
        """A ``POST /api/v1/boxoffice/tickets`` body for this event."""
        return {"eventId": self.event_id, "customerDocument": document, "customerName": "Ana Pérez", "ticketDetails": list(lines), **extra}


async def build_venue(
    build: Any,
    *,
    key: str = "t",
    seats: tuple[int, int] = (1, 20),
    general_capacity: int = 30,
    vip_price_cents: int = 5000,
    general_price_cents: int = 2000,
    currency: str = "usd",
    start_in: timedelta = timedelta(days=30),
    status: str = "on_sale",
    performer: str = "Orquesta Sinfónica",
    location_name: str | None = None,
    title: str | None = None,
) -> Venue:
    """Insert (committed) the whole setup; ``key`` keeps ids and names unique across calls."""
    v = Venue(
        location_id=f"loc_{key}",
        numbered_id=f"lsec_{key}_a",
        general_id=f"lsec_{key}_g",
        presentation_id=f"pres_{key}",
        vip_zone_id=f"zone_{key}_vip",
        vip_item_id=f"item_{key}_vip",
        general_zone_id=f"zone_{key}_gen",
        general_item_id=f"item_{key}_gen",
        event_id=f"evt_{key}",
    )
    await build.add(Location(id=v.location_id, name=location_name or f"Teatro {key}", city="San José"))
    await build.add(
        LocationSection(
            id=v.numbered_id, location_id=v.location_id, name="Platea", capacity=seats[1] - seats[0] + 1,
            index_prefix="A", index_from=seats[0], index_to=seats[1], sort=1,
        ),
        LocationSection(id=v.general_id, location_id=v.location_id, name="General", capacity=general_capacity, sort=2),
        Presentation(id=v.presentation_id, location_id=v.location_id, title=title or f"Concierto {key}", performer_name=performer),
    )
    await build.add(
        PresentationSection(id=v.vip_zone_id, presentation_id=v.presentation_id, name="VIP", price_cents=vip_price_cents, currency=currency, sort=1),
        PresentationSection(
            id=v.general_zone_id, presentation_id=v.presentation_id, name="GENERAL", price_cents=general_price_cents, currency=currency, sort=2
        ),
    )
    await build.add(
        PresentationSectionItem(id=v.vip_item_id, presentation_section_id=v.vip_zone_id, location_section_id=v.numbered_id),
        PresentationSectionItem(id=v.general_item_id, presentation_section_id=v.general_zone_id, location_section_id=v.general_id),
    )
    await build.add(
        Event(
            id=v.event_id, presentation_id=v.presentation_id, title=title or f"Concierto {key}",
            start_at=datetime.now(UTC) + start_in, status=status, type="standard",
        )
    )
    return v
