"""Box office events: dated functions of a show, event search and the cached event detail."""
