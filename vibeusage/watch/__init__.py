"""``vibeusage watch`` (FEATURES.md §6): the usage table kept live in a terminal."""
