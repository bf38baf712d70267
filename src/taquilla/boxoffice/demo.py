"""Demo data of the box office for ``taquilla demo-data`` (idempotent).

Teatro Nacional (San José) with two numbered sections (Platea P1–P120, Balcón B1–B60) and a
general-admission Galería (200 places); the show "La Traviata" with three price zones
(VIP → Platea, Preferencial → Balcón, General → Galería, in CRC) and three dated events on sale.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.boxoffice.models import (
    Event,
    Location,
    LocationSection,
    Presentation,
    PresentationSection,
    PresentationSectionItem,
)
from taquilla.core.settings import Settings

LOCATION_ID = "loc_teatro_nacional"
PRESENTATION_ID = "pres_la_traviata"
EVENT_IDS = ("evt_traviata_1", "evt_traviata_2", "evt_traviata_3")


async def seed(session: AsyncSession, settings: Settings) -> list[str]:
    """Insert the demo records when missing; return lines to print."""
    if await session.get(Location, LOCATION_ID) is None:
        session.add(Location(id=LOCATION_ID, name="Teatro Nacional", city="San José", address="Avenida 2, Calles 3 y 5"))
        await session.flush()
        session.add_all(
            [
                LocationSection(
                    id="lsec_platea", location_id=LOCATION_ID, name="Platea", capacity=120,
                    index_prefix="P", index_from=1, index_to=120, sort=1,
                ),
                LocationSection(
                    id="lsec_balcon", location_id=LOCATION_ID, name="Balcón", capacity=60,
                    index_prefix="B", index_from=1, index_to=60, sort=2,
                ),
                LocationSection(id="lsec_galeria", location_id=LOCATION_ID, name="Galería", capacity=200, sort=3),
                Presentation(
                    id=PRESENTATION_ID, location_id=LOCATION_ID, title="La Traviata",
                    description="Ópera en tres actos de Giuseppe Verdi.", performer_name="Compañía Lírica Nacional",
                    organizer="Organizador Demo",
                ),
            ]
        )
        await session.flush()
        session.add_all(
            [
                PresentationSection(id="zone_vip", presentation_id=PRESENTATION_ID, name="VIP", price_cents=3_500_000, currency="crc", sort=1),
                PresentationSection(
                    id="zone_preferencial", presentation_id=PRESENTATION_ID, name="Preferencial", price_cents=2_000_000, currency="crc", sort=2
                ),
                PresentationSection(id="zone_general", presentation_id=PRESENTATION_ID, name="General", price_cents=800_000, currency="crc", sort=3),
            ]
        )
        await session.flush()
        session.add_all(
            [
                PresentationSectionItem(id="item_vip_platea", presentation_section_id="zone_vip", location_section_id="lsec_platea"),
                PresentationSectionItem(id="item_pref_balcon", presentation_section_id="zone_preferencial", location_section_id="lsec_balcon"),
                PresentationSectionItem(id="item_general_galeria", presentation_section_id="zone_general", location_section_id="lsec_galeria"),
            ]
        )
        await session.flush()
    first_day = datetime.now(UTC).date() + timedelta(days=14)
    for n, event_id in enumerate(EVENT_IDS):
        if await session.get(Event, event_id) is None:
            start = datetime.combine(first_day + timedelta(days=7 * n), time(2, 0), tzinfo=UTC)  # 20:00 in Costa Rica
            session.add(
                Event(
                    id=event_id, presentation_id=PRESENTATION_ID, title="La Traviata", start_at=start,
                    status="on_sale", type="premium" if n == 2 else "standard",
                )
            )
    await session.flush()
    return [
        (
            "box office: Teatro Nacional (Platea P1–P120, Balcón B1–B60, Galería 200), "
            f"La Traviata (zones VIP ₡35 000, Preferencial ₡20 000, General ₡8 000), events {', '.join(EVENT_IDS)} on sale"
        )
    ]
