"""How each provider would connect: the first available strategy and why each one is or is not."""

from typing import Any, Dict, List, Optional, Tuple

from ..providers.base import FetchContext, Provider, Strategy
from .context import Context


def fetch_context(app: Context, provider: Provider) -> FetchContext:
    """The context a provider's checks and login flows run with (each of a login's
    exchanges bounded by the configured timeout, as a fetch's are)."""
    return FetchContext.for_provider(
        provider,
        app.environ,
        app.paths,
        app.config.provider(provider.id),
        app.clock,
        app.config.fetch.timeout,
    )


def connection(app: Context, provider: Provider) -> Tuple[Optional[Strategy], List[str]]:
    """The strategy that would be used first (None when none is available) and every reason."""
    ctx = fetch_context(app, provider)
    first: Optional[Strategy] = None
    reasons = []
    for strategy in provider.strategies_for(app.config.provider(provider.id).auth_source):
        try:
            available = strategy.available(ctx)
            reason = strategy.explain(ctx)
        except Exception as exc:  # a broken check must not break the overview
            available, reason = False, f"{strategy.label}: check failed ({type(exc).__name__})"
        reasons.append(f"{strategy.name}: {reason}")
        if available and first is None:
            first = strategy
    return first, reasons


def auth_overview(app: Context) -> Dict[str, Dict[str, Any]]:
    """Per provider: connected or not, through what, enabled, the next step, every reason."""
    report: Dict[str, Dict[str, Any]] = {}
    for provider in app.registry.values():
        strategy, reasons = connection(app, provider)
        report[provider.id] = {
            "connected": strategy is not None,
            "strategy": strategy.name if strategy else None,
            "source": strategy.label if strategy else None,
            "enabled": app.config.provider(provider.id).enabled,
            "next_step": None if strategy else provider.setup_hint,
            "details": reasons,
        }
    return report
