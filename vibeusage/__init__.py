"""vibeusage: how much of your AI coding plans' rate limits you have used, and when they reset."""

__version__ = "0.1.0"
