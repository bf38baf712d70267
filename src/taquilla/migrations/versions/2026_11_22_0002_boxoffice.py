"""Box office: locations, sections, presentations, price zones, event columns, tickets.

Revision ID: 0002_boxoffice
Revises: 0001_foundation
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_boxoffice"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _timestamps(updated: bool = True) -> list[sa.Column]:
    cols = [sa.Column("created_at", TS, nullable=False, server_default=sa.func.now())]
    if updated:
        cols.append(sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()))
    return cols


SHORT_FK_NAMES = {
    "fk_presentation_section_items_presentation_section_id_presentation_sections": "fk_presentation_section_items_zone",
    "fk_presentation_section_items_location_section_id_location_sections": "fk_presentation_section_items_location_section",
    "fk_ticket_details_presentation_section_item_id_presentation_section_items": "fk_ticket_details_item",
}


def _fk(table: str, column: str, target: str) -> sa.ForeignKey:
    name = f"fk_{table}_{column}_{target}"
    return sa.ForeignKey(f"{target}.id", name=SHORT_FK_NAMES.get(name, name))


def upgrade() -> None:
    op.create_table(
        "locations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("address", sa.Text, nullable=False, server_default=""),
        sa.Column("city", sa.String(120), nullable=False, server_default=""),
        *_timestamps(),
    )
    op.create_index("uq_locations_name_lower", "locations", [sa.text("lower(name)")], unique=True)

    op.create_table(
        "location_sections",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("location_id", sa.String(64), _fk("location_sections", "location_id", "locations"), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("index_prefix", sa.String(16), nullable=True),
        sa.Column("index_from", sa.Integer, nullable=True),
        sa.Column("index_to", sa.Integer, nullable=True),
        sa.Column("sort", sa.Integer, nullable=False, server_default="0"),
        *_timestamps(),
        sa.UniqueConstraint("location_id", "name", name="uq_location_sections_location_id_name"),
        sa.CheckConstraint("capacity > 0", name="ck_location_sections_capacity_positive"),
        sa.CheckConstraint(
            "(index_prefix IS NULL AND index_from IS NULL AND index_to IS NULL) OR "
            "(index_prefix IS NOT NULL AND index_from IS NOT NULL AND index_to IS NOT NULL "
            "AND index_from >= 0 AND index_from <= index_to AND capacity = index_to - index_from + 1)",
            name="ck_location_sections_numbering",
        ),
    )
    op.create_index("ix_location_sections_location_id", "location_sections", ["location_id"])

    op.create_table(
        "presentations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("location_id", sa.String(64), _fk("presentations", "location_id", "locations"), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("performer_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("organizer", sa.String(200), nullable=False, server_default=""),
        *_timestamps(),
        sa.UniqueConstraint("location_id", "title", name="uq_presentations_location_id_title"),
    )
    op.create_index("ix_presentations_location_id", "presentations", ["location_id"])

    op.create_table(
        "presentation_sections",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column(
            "presentation_id", sa.String(64), _fk("presentation_sections", "presentation_id", "presentations"), nullable=False
        ),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("price_cents", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("sort", sa.Integer, nullable=False, server_default="0"),
        *_timestamps(),
        sa.UniqueConstraint("presentation_id", "name", name="uq_presentation_sections_presentation_id_name"),
        sa.CheckConstraint("price_cents >= 0", name="ck_presentation_sections_price_nonnegative"),
    )
    op.create_index("ix_presentation_sections_presentation_id", "presentation_sections", ["presentation_id"])

    op.create_table(
        "presentation_section_items",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column(
            "presentation_section_id",
            sa.String(64),
            _fk("presentation_section_items", "presentation_section_id", "presentation_sections"),
            nullable=False,
        ),
        sa.Column(
            "location_section_id",
            sa.String(64),
            _fk("presentation_section_items", "location_section_id", "location_sections"),
            nullable=False,
        ),
        *_timestamps(updated=False),
        sa.UniqueConstraint(
            "presentation_section_id",
            "location_section_id",
            name="uq_presentation_section_items_zone_section",
        ),
    )
    op.create_index(
        "ix_presentation_section_items_presentation_section_id", "presentation_section_items", ["presentation_section_id"]
    )
    op.create_index("ix_presentation_section_items_location_section_id", "presentation_section_items", ["location_section_id"])

    # events (created by 0001) becomes a dated function of a presentation.
    op.execute("ALTER TABLE events ADD COLUMN presentation_id VARCHAR(64) NULL")
    op.create_foreign_key("fk_events_presentation_id_presentations", "events", "presentations", ["presentation_id"], ["id"])
    op.create_index("ix_events_presentation_id", "events", ["presentation_id"])
    op.create_unique_constraint("uq_events_presentation_id_start_at", "events", ["presentation_id", "start_at"])
    op.create_check_constraint("ck_events_status", "events", "status IN ('draft','on_sale','sold_out','cancelled')")
    op.create_index("ix_events_start_at", "events", ["start_at"])

    op.create_table(
        "event_inventory",
        sa.Column("event_id", sa.String(64), _fk("event_inventory", "event_id", "events"), primary_key=True),
        sa.Column(
            "location_section_id",
            sa.String(64),
            _fk("event_inventory", "location_section_id", "location_sections"),
            primary_key=True,
        ),
        sa.Column("sold", sa.Integer, nullable=False, server_default="0"),
        sa.CheckConstraint("sold >= 0", name="ck_event_inventory_sold_nonnegative"),
    )
    op.create_index("ix_event_inventory_location_section_id", "event_inventory", ["location_section_id"])

    op.create_table(
        "tickets",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("event_id", sa.String(64), _fk("tickets", "event_id", "events"), nullable=False),
        sa.Column("customer_document", sa.String(32), nullable=False),
        sa.Column("customer_name", sa.String(200), nullable=False),
        sa.Column("customer_email", sa.String(254), nullable=True),
        sa.Column("total_cents", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="paid"),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.clock_timestamp()),
        sa.Column("cancelled_at", TS, nullable=True),
        sa.CheckConstraint("status IN ('paid','cancelled')", name="ck_tickets_status"),
        sa.CheckConstraint("total_cents >= 0", name="ck_tickets_total_nonnegative"),
    )
    op.create_index("ix_tickets_event_created", "tickets", ["event_id", "created_at"])
    op.create_index("ix_tickets_customer_document", "tickets", ["customer_document"])

    op.create_table(
        "ticket_details",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("ticket_id", sa.String(64), _fk("ticket_details", "ticket_id", "tickets"), nullable=False),
        sa.Column("event_id", sa.String(64), _fk("ticket_details", "event_id", "events"), nullable=False),
        sa.Column(
            "presentation_section_id",
            sa.String(64),
            _fk("ticket_details", "presentation_section_id", "presentation_sections"),
            nullable=False,
        ),
        sa.Column(
            "presentation_section_item_id",
            sa.String(64),
            _fk("ticket_details", "presentation_section_item_id", "presentation_section_items"),
            nullable=False,
        ),
        sa.Column(
            "location_section_id", sa.String(64), _fk("ticket_details", "location_section_id", "location_sections"), nullable=False
        ),
        sa.Column("location_section_index", sa.Integer, nullable=True),
        sa.Column("seat_code", sa.String(40), nullable=True),
        sa.Column("price_cents", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("cancelled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("debug_unguarded", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.CheckConstraint("price_cents >= 0", name="ck_ticket_details_price_nonnegative"),
    )
    op.create_index("ix_ticket_details_ticket_id", "ticket_details", ["ticket_id"])
    op.create_index("ix_ticket_details_presentation_section_id", "ticket_details", ["presentation_section_id"])
    op.create_index("ix_ticket_details_presentation_section_item_id", "ticket_details", ["presentation_section_item_id"])
    op.create_index("ix_ticket_details_location_section_id", "ticket_details", ["location_section_id"])
    # The oversell guard for numbered seats: one live line per (event, section, index).
    op.create_index(
        "uq_ticket_details_live_seat",
        "ticket_details",
        ["event_id", "location_section_id", "location_section_index"],
        unique=True,
        postgresql_where=sa.text("NOT cancelled AND NOT debug_unguarded AND location_section_index IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_table("ticket_details")
    op.drop_table("tickets")
    op.drop_table("event_inventory")
    op.drop_index("ix_events_start_at", table_name="events")
    op.drop_constraint("ck_events_status", "events", type_="check")
    op.drop_constraint("uq_events_presentation_id_start_at", "events", type_="unique")
    op.drop_index("ix_events_presentation_id", table_name="events")
    op.drop_constraint("fk_events_presentation_id_presentations", "events", type_="foreignkey")
    op.execute("ALTER TABLE events DROP COLUMN presentation_id")
    op.drop_table("presentation_section_items")
    op.drop_table("presentation_sections")
    op.drop_table("presentations")
    op.drop_table("location_sections")
    op.drop_table("locations")
