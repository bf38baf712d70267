"""Security: users.token_version and the foreign key users.ventana_id → ventanas.

* ``token_version``: tokens carry it; it moves when a user is deactivated or its role,
  scope or password changes, so older tokens stop working at once.
* ``fk_users_ventana_id_ventanas``: ``POST /api/v1/users`` with an unknown ``ventanaId``
  created a user pointing at nothing. Users already pointing at a missing ventana could
  never work in their scope: they are deactivated and their ``ventana_id`` cleared before
  the constraint is added (``NOT VALID`` then ``VALIDATE``, so the check does not block writes).

Revision ID: 20261123_security
Revises: 20261123_director_kpi_views
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "20261123_security"
down_revision = "20261123_director_kpi_views"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("token_version", sa.Integer, nullable=False, server_default="0"))
    op.execute(
        """
        UPDATE users u
           SET is_active = false, ventana_id = NULL, token_version = u.token_version + 1
         WHERE u.ventana_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM ventanas v WHERE v.id = u.ventana_id)
        """
    )
    op.execute(
        "ALTER TABLE users ADD CONSTRAINT fk_users_ventana_id_ventanas "
        "FOREIGN KEY (ventana_id) REFERENCES ventanas (id) NOT VALID"
    )
    op.execute("ALTER TABLE users VALIDATE CONSTRAINT fk_users_ventana_id_ventanas")
    op.create_index("ix_users_ventana_id", "users", ["ventana_id"])


def downgrade() -> None:
    op.drop_index("ix_users_ventana_id", table_name="users")
    op.drop_constraint("fk_users_ventana_id_ventanas", "users", type_="foreignkey")
    op.drop_column("users", "token_version")
