"""Box office catalog: venues (locations) and their sections, shows (presentations), price zones and zone items."""
