"""Pace and forecast (FEATURES.md §1): pure functions over periods, evaluated at a given now."""
