"""Mayorizations (seeds 002/003): the closing records of a period per account, and ADJUSTMENT movements.

Placeholder: filled in by the mayorizations work (issue 9); it exists first so that later
migrations can chain after it.

Revision ID: 20261123_mayorizations
Revises: 20261123_two_levels_revision
Create Date: 2026-11-23
"""

revision = "20261123_mayorizations"
down_revision = "20261123_two_levels_revision"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
