"""Network people: the front end's fields on users, bancas, ventanas and loterías; refresh tokens.

* ``users.email``, ``users.code``, ``users.settings`` (theme and print settings, JSONB).
* ``refresh_tokens``: one row per issued refresh token, stored as its SHA-256 hash; a
  ``family_id`` links the tokens of one login (rotation); ``used_at`` marks a rotated
  token, ``revoked_at`` a revoked one. A used token presented again revokes its family.
* ``bancas``/``ventanas``: ``email``, ``phone``, ``address``; ``ventanas.commission_margin_x``
  and ``ventanas.settings`` (print settings).
* ``network_movements.is_final``: the front end's ``isFinal`` (the movement that closes the day).
* ``loterias``: ``min_bet_cents``, ``max_numbers_per_ticket`` and ``rules_extra`` (the parts of
  the client's ``rulesJson`` that no typed column holds: draw frequency, days, sales hours…).

Revision ID: 20261123_network_people
Revises: 20261123_security
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "20261123_network_people"
down_revision = "20261123_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("email", sa.String(200), nullable=True))
    op.add_column("users", sa.Column("code", sa.String(32), nullable=True))
    op.add_column("users", sa.Column("settings", JSONB, nullable=True))
    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("family_id", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("token_hash", name="uq_refresh_tokens_token_hash"),
    )
    op.create_index("ix_refresh_tokens_family_id", "refresh_tokens", ["family_id"])
    op.create_index("ix_refresh_tokens_user_id", "refresh_tokens", ["user_id"])
    for table in ("bancas", "ventanas"):
        op.add_column(table, sa.Column("email", sa.String(200), nullable=True))
        op.add_column(table, sa.Column("phone", sa.String(40), nullable=True))
        op.add_column(table, sa.Column("address", sa.String(300), nullable=True))
    op.add_column("ventanas", sa.Column("commission_margin_x", sa.Numeric(10, 2), nullable=True))
    op.add_column("ventanas", sa.Column("settings", JSONB, nullable=True))
    op.add_column("loterias", sa.Column("min_bet_cents", sa.BigInteger, nullable=True))
    op.add_column("loterias", sa.Column("max_numbers_per_ticket", sa.Integer, nullable=True))
    op.add_column("loterias", sa.Column("rules_extra", JSONB, nullable=True))
    op.add_column("network_movements", sa.Column("is_final", sa.Boolean, nullable=False, server_default="false"))


def downgrade() -> None:
    op.drop_column("network_movements", "is_final")
    for column in ("rules_extra", "max_numbers_per_ticket", "min_bet_cents"):
        op.drop_column("loterias", column)
    op.drop_column("ventanas", "settings")
    op.drop_column("ventanas", "commission_margin_x")
    for table in ("ventanas", "bancas"):
        for column in ("address", "phone", "email"):
            op.drop_column(table, column)
    op.drop_table("refresh_tokens")
    for column in ("settings", "code", "email"):
        op.drop_column("users", column)
