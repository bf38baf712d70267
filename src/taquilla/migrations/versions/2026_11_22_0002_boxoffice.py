"""Box office: locations, sections, presentations, price zones, event columns, tickets.

Revision ID: 0002_boxoffice
Revises: 0001_foundation
Create Date: 2026-11-22
"""

revision = "0002_boxoffice"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
