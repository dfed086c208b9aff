"""The history ledger (FEATURES.md §3): change-only lines per window, events, trends, exports."""
