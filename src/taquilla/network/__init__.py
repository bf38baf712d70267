"""Sales network (seeds 001–003): banca → ventana (listero) → vendedor; sales, statements, closing."""
