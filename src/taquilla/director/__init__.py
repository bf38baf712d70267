"""Director (seed 000): ticket allotments to organizers, debt ledger, payments and KPIs."""
