"""Claude Code statusline capture, the one-line output, and the hook's install (FEATURES.md §5).

Everything on the hook path is kept light (no dataclasses, requests or provider modules):
Claude Code runs the hook on every prompt.
"""
