"""Guard's ``--window`` choices, apart from the policy: the parser (and completion) needs only
these, not the Decimal and dataclass machinery of ``policy``."""

WINDOW_CHOICES = ("binding", "session", "daily", "weekly", "monthly", "all")
