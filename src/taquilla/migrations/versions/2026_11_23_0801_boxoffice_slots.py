"""Box office inventory split into slots (issue 13): ``event_inventory_slots``; ``event_inventory`` becomes their sum.

Every buyer of a general-admission section used to queue on one counter row per (event,
section): at 32 buyers the benchmark got slower than at 8 and its p99 went to ~400 ms. The
counter is now ``SLOTS`` (32) rows per (event, section), slot ``k`` holding the share
``capacity // 32 + (k < capacity % 32)`` of the capacity (a section of fewer than 32 places
has one row per place). A sale takes a slot with room with ``FOR UPDATE SKIP LOCKED`` and
falls back to locking every slot (``taquilla.boxoffice.inventory``); ``sold ≤ share`` per slot
keeps the sum exact. ``event_inventory`` stays as a read-only view (same columns) for readers.

Existing counters are spread over the slots share by share (anything above the capacity, which
only the debug switch can write, stays in slot 0).

Revision ID: 20261123_boxoffice_slots
Revises: 20261123_mayorizations
Create Date: 2026-11-23
"""

from alembic import op

revision = "20261123_boxoffice_slots"
down_revision = "20261123_mayorizations"
branch_labels = None
depends_on = None

SLOTS = 32  # the same as taquilla.boxoffice.inventory.SLOTS; changing it needs a migration that redistributes


def upgrade() -> None:
    op.execute(
        f"""
        CREATE TABLE event_inventory_slots (
            event_id VARCHAR(64) NOT NULL CONSTRAINT fk_event_inventory_slots_event_id_events REFERENCES events (id),
            location_section_id VARCHAR(64) NOT NULL
                CONSTRAINT fk_event_inventory_slots_location_section_id_location_sections REFERENCES location_sections (id),
            slot SMALLINT NOT NULL,
            sold INTEGER NOT NULL DEFAULT 0,
            CONSTRAINT pk_event_inventory_slots PRIMARY KEY (event_id, location_section_id, slot),
            CONSTRAINT ck_event_inventory_slots_sold_nonnegative CHECK (sold >= 0),
            CONSTRAINT ck_event_inventory_slots_slot_range CHECK (slot >= 0 AND slot < {SLOTS})
        ) WITH (fillfactor = 50)
        """
    )
    op.execute("CREATE INDEX ix_event_inventory_slots_location_section_id ON event_inventory_slots (location_section_id)")
    op.execute(
        f"""
        INSERT INTO event_inventory_slots (event_id, location_section_id, slot, sold)
        SELECT i.event_id, i.location_section_id, g.slot,
               CASE WHEN g.slot = 0 THEN GREATEST(i.sold - s.capacity, 0) ELSE 0 END
               + GREATEST(0, LEAST(s.capacity / {SLOTS} + (g.slot < s.capacity % {SLOTS})::int,
                                   i.sold - (g.slot * (s.capacity / {SLOTS}) + LEAST(g.slot, s.capacity % {SLOTS}))))
          FROM event_inventory i
          JOIN location_sections s ON s.id = i.location_section_id
          CROSS JOIN LATERAL generate_series(0, GREATEST(LEAST({SLOTS}, s.capacity), 1) - 1) AS g(slot)
        """
    )
    op.execute("DROP TABLE event_inventory")
    op.execute(
        "CREATE VIEW event_inventory AS "
        "SELECT event_id, location_section_id, SUM(sold)::int AS sold FROM event_inventory_slots GROUP BY event_id, location_section_id"
    )


def downgrade() -> None:
    op.execute("DROP VIEW event_inventory")
    op.execute(
        """
        CREATE TABLE event_inventory (
            event_id VARCHAR(64) NOT NULL CONSTRAINT fk_event_inventory_event_id_events REFERENCES events (id),
            location_section_id VARCHAR(64) NOT NULL
                CONSTRAINT fk_event_inventory_location_section_id_location_sections REFERENCES location_sections (id),
            sold INTEGER NOT NULL DEFAULT 0,
            CONSTRAINT pk_event_inventory PRIMARY KEY (event_id, location_section_id),
            CONSTRAINT ck_event_inventory_sold_nonnegative CHECK (sold >= 0)
        )
        """
    )
    op.execute("CREATE INDEX ix_event_inventory_location_section_id ON event_inventory (location_section_id)")
    op.execute(
        "INSERT INTO event_inventory (event_id, location_section_id, sold) "
        "SELECT event_id, location_section_id, SUM(sold) FROM event_inventory_slots GROUP BY event_id, location_section_id"
    )
    op.execute("DROP TABLE event_inventory_slots")
