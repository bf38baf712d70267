"""Running balances of the director's ledger per (organizer, currency), kept by a trigger: ``director_balances``.

A director write answered with the organizer's balances by summing the organizer's whole ledger
in the write's statement: ~0.9 ms of a 1.1 ms statement at 628 entries, growing with every entry
(bench/README.md "Session 6"). The sums now live in one row per (organizer, currency). The trigger
``director_balances_apply`` (AFTER INSERT/UPDATE/DELETE, FOR EACH ROW) adds a ledger row's figures
and removes an old row's, in the same transaction, whoever writes the ledger (the API's hot
statements, the back office, a test, a script), so a balance row always equals the ledger's sums;
the upsert's row lock queues concurrent writers of one (organizer, currency) until commit, and
each adds to the newest committed row (READ COMMITTED re-check), so the sums stay exact. ``numeric``
sums: one entry may hold ``MAX_CENTS`` (1e16), a few hundred of them would leave BIGINT.
The existing ledger is summed into the new table.

Revision ID: 20261124_director_balances
Revises: 20261124_take_inventory_slot
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "20261124_director_balances"
down_revision = "20261124_take_inventory_slot"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "director_balances",
        sa.Column("organizer_id", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("tickets", sa.Numeric(), nullable=False, server_default="0"),
        sa.Column("tickets_equivalent", sa.Numeric(), nullable=False, server_default="0"),
        sa.Column("assigned_cents", sa.Numeric(), nullable=False, server_default="0"),
        sa.Column("payments_cents", sa.Numeric(), nullable=False, server_default="0"),
        sa.ForeignKeyConstraint(["organizer_id"], ["organizers.id"], name="fk_director_balances_organizer_id_organizers"),
        sa.PrimaryKeyConstraint("organizer_id", "currency", name="pk_director_balances"),
    )
    op.execute(
        """
        CREATE FUNCTION director_balances_apply() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                UPDATE director_balances b
                   SET tickets = b.tickets - OLD.tickets,
                       tickets_equivalent = b.tickets_equivalent - OLD.tickets_equivalent,
                       assigned_cents = b.assigned_cents - CASE WHEN OLD.entry_type <> 'payment' THEN OLD.amount_cents ELSE 0 END,
                       payments_cents = b.payments_cents - CASE WHEN OLD.entry_type = 'payment' THEN OLD.amount_cents ELSE 0 END
                 WHERE b.organizer_id = OLD.organizer_id AND b.currency = OLD.currency;
                DELETE FROM director_balances b  -- no entry left in that currency (an entry never sums to all zeros)
                 WHERE b.organizer_id = OLD.organizer_id AND b.currency = OLD.currency
                   AND b.tickets = 0 AND b.tickets_equivalent = 0 AND b.assigned_cents = 0 AND b.payments_cents = 0;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                INSERT INTO director_balances AS b (organizer_id, currency, tickets, tickets_equivalent, assigned_cents, payments_cents)
                VALUES (NEW.organizer_id, NEW.currency, NEW.tickets, NEW.tickets_equivalent,
                        CASE WHEN NEW.entry_type <> 'payment' THEN NEW.amount_cents ELSE 0 END,
                        CASE WHEN NEW.entry_type = 'payment' THEN NEW.amount_cents ELSE 0 END)
                ON CONFLICT (organizer_id, currency) DO UPDATE
                   SET tickets = b.tickets + EXCLUDED.tickets,
                       tickets_equivalent = b.tickets_equivalent + EXCLUDED.tickets_equivalent,
                       assigned_cents = b.assigned_cents + EXCLUDED.assigned_cents,
                       payments_cents = b.payments_cents + EXCLUDED.payments_cents;
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER director_balances_apply AFTER INSERT OR UPDATE OR DELETE ON director_ledger_entries "
        "FOR EACH ROW EXECUTE FUNCTION director_balances_apply()"
    )
    # after the trigger: CREATE TRIGGER's lock holds off ledger writes until this migration commits, so the
    # sum below sees every committed entry and every later one goes through the trigger
    op.execute(
        """
        INSERT INTO director_balances (organizer_id, currency, tickets, tickets_equivalent, assigned_cents, payments_cents)
        SELECT organizer_id, currency, sum(tickets), sum(tickets_equivalent),
               COALESCE(sum(amount_cents) FILTER (WHERE entry_type <> 'payment'), 0),
               COALESCE(sum(amount_cents) FILTER (WHERE entry_type = 'payment'), 0)
          FROM director_ledger_entries
         GROUP BY organizer_id, currency
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER director_balances_apply ON director_ledger_entries")
    op.execute("DROP FUNCTION director_balances_apply()")
    op.drop_table("director_balances")
