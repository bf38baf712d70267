"""Sales network: bancas, ventanas, vendedores, loterías, sorteos, tickets, jugadas, movements, rollups.

Revision ID: 0003_network
Revises: 0002_boxoffice
Create Date: 2026-11-22
"""

revision = "0003_network"
down_revision = "0002_boxoffice"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
