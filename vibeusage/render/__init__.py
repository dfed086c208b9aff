"""Pure renderers: run results in, text or JSON out."""
