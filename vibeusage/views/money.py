"""Money and credits in text: amounts with their sign, and the extra-usage line."""

from decimal import Decimal
from typing import Optional

from ..models import OverageUsage

_CURRENCY_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£"}


def format_money(amount: Decimal, currency: str) -> str:
    """``$1,234.50`` for known currencies, ``12.00 CHF`` otherwise."""
    sign = _CURRENCY_SIGNS.get(currency.upper())
    return f"{sign}{amount:,.2f}" if sign else f"{amount:,.2f} {currency}"


def format_overage(overage: Optional[OverageUsage]) -> str:
    """``Extra usage: $5.50 of $100.00 used``, ``Credits: 12.50 left``, ``Balance: $8.00 left``
    (money left with nothing spent beyond the plan reported); empty when idle."""
    if overage is None:
        return ""
    parts = []
    spent = overage.used if overage.used is not None else Decimal(0)
    if overage.used is not None and (overage.is_enabled or spent > 0):
        used = format_money(overage.used, overage.currency)
        if overage.limit is None:
            parts.append(f"{used} used (no limit)")
        else:
            parts.append(f"{used} of {format_money(overage.limit, overage.currency)} used")
    credits = overage.currency.lower() == "credits"
    if overage.unlimited:
        parts.append("unlimited")
    elif overage.balance is not None and (overage.is_enabled or overage.balance > 0):
        amount = (
            f"{overage.balance:,.2f}"
            if credits
            else format_money(overage.balance, overage.currency)
        )
        parts.append(f"{amount} left")
    if not parts:
        return ""
    balance_only = overage.used is None and overage.limit is None and not overage.unlimited
    label = "Credits" if credits else "Balance" if balance_only else "Extra usage"
    state = "" if overage.is_enabled else " (disabled)"
    return f"{label}: {', '.join(parts)}{state}"
