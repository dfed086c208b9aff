"""Driving terminal programs: a pseudo-terminal driver (``pty``), a screen emulator (``screen``).

Nothing is imported here: a provider imports the module it needs when it runs a program, so
start-up never pays for either.
"""
