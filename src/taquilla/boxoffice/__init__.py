"""Box office (seed 004): venues, shows, dated events, seat/area inventory, ticket sales.

Sub-domains, each with ``router``, ``service``, ``repository`` and ``schemas``: ``catalog``
(venues, sections, shows, zones, items), ``events`` (dated functions, search, detail) and
``sales`` (the storefront sale, tickets). Shared by them: ``models`` (SQLAlchemy), ``inventory``
(counters and the sold-out rule), ``context`` (settings, cache bumps, helpers), ``cache`` (event
detail read model), ``ratelimit`` (storefront) and ``demo`` (demo data). ``router`` gathers the routes.
"""
