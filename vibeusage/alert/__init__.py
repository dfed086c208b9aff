"""``vibeusage alert`` (FEATURES.md §6): threshold crossings diffed against persisted edge state."""
