"""The box office's fast path as one function that undoes its own miss: ``take_inventory_slot``.

A sale first tries to add its places to one slot with room that no other buyer holds
(``FOR UPDATE SKIP LOCKED``). Under READ COMMITTED a row that another buyer filled and committed
after the statement's snapshot is still *locked* when the re-check on its newest version fails;
the statement skips it but the lock stays. A sale that then missed every slot took the slow path
(every slot locked in slot order) while holding such a stray lock out of order: two of them
deadlock (seen in CI: ``test_64_buyers_two_processes_never_oversell``, a 500 on
``DeadlockDetectedError``). Inside this function the statement runs in a subtransaction that is
rolled back when it takes nothing, which releases whatever it locked; the slow path then starts
with no lock of that section. One round trip, as before.

Returns ``(taken_slot, taken_sold)``, both NULL on a miss. ``p_slots`` is
``taquilla.boxoffice.inventory.SLOTS``.

Revision ID: 20261124_take_inventory_slot
Revises: 20261123_movements_day_order
Create Date: 2026-11-24
"""

from alembic import op

revision = "20261124_take_inventory_slot"
down_revision = "20261123_movements_day_order"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION take_inventory_slot(
            p_event_id varchar, p_section_id varchar, p_n int, p_capacity int, p_start int, p_slots int,
            OUT taken_slot smallint, OUT taken_sold int
        ) LANGUAGE plpgsql AS $$
        BEGIN
            BEGIN
                WITH pick AS (
                    SELECT s.slot FROM event_inventory_slots s
                     WHERE s.event_id = p_event_id AND s.location_section_id = p_section_id
                       AND s.sold + p_n <= p_capacity / p_slots + (s.slot < p_capacity % p_slots)::int
                     ORDER BY (s.slot + p_start) % p_slots
                     LIMIT 1
                       FOR UPDATE SKIP LOCKED
                )
                UPDATE event_inventory_slots c SET sold = c.sold + p_n
                  FROM pick
                 WHERE c.event_id = p_event_id AND c.location_section_id = p_section_id AND c.slot = pick.slot
                   AND c.sold + p_n <= p_capacity / p_slots + (c.slot < p_capacity % p_slots)::int
                RETURNING c.slot, c.sold INTO taken_slot, taken_sold;
                IF NOT FOUND THEN
                    RAISE no_data_found;  -- roll the subtransaction back: it releases the rows the miss locked
                END IF;
            EXCEPTION WHEN no_data_found THEN
                taken_slot := NULL;
                taken_sold := NULL;
            END;
        END
        $$
        """
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION take_inventory_slot(varchar, varchar, int, int, int, int)")
