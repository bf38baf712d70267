"""Box office (seed 004): venues, shows, dated events, seat/area inventory, ticket sales."""
