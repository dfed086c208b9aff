"""The decision behind ``vibeusage guard`` (FEATURES.md §2): pure policy over snapshots."""
