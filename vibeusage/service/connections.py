"""How each provider would connect: the first available strategy and why each one is or is not."""

from typing import Any, Dict, List, Optional, Tuple

from ..providers.base import FetchContext, Provider, Strategy
from .context import Context


def fetch_context(app: Context, provider: Provider) -> FetchContext:
    """The context a provider's checks and login flows run with (each of a login's
    exchanges bounded by the configured timeout, as a fetch's are)."""
    from ..config import tools_ban

    return FetchContext.for_provider(
        provider,
        app.environ,
        app.paths,
        app.config.provider(provider.id),
        app.clock,
        app.config.fetch.timeout,
        tools_ban=tools_ban(app.config, provider.id, app.environ),
    )


def connection(app: Context, provider: Provider) -> Tuple[Optional[Strategy], List[str]]:
    """The strategy that would be used first (None when none is available) and every reason."""
    first, reasons, _ = connection_detail(app, provider)
    return first, reasons


def connection_detail(
    app: Context, provider: Provider
) -> Tuple[Optional[Strategy], List[str], List[str]]:
    """As :func:`connection`, plus why credentials that were found can never work.

    A strategy whose credentials are unusable (``Strategy.unusable``) is not the one that
    would be used: with nothing else, the provider is not connected.
    """
    ctx = fetch_context(app, provider)
    first: Optional[Strategy] = None
    reasons = []
    unusable: List[str] = []
    for strategy in provider.strategies_for(app.config.provider(provider.id).auth_source):
        problem = None
        try:
            available = strategy.available(ctx)
            reason = strategy.explain(ctx)
            problem = strategy.unusable(ctx) if available else None
        except Exception as exc:  # a broken check must not break the overview
            available, reason = False, f"{strategy.label}: check failed ({type(exc).__name__})"
        if problem:
            reasons.append(f"{strategy.name}: credentials found but unusable: {problem}")
            unusable.append(problem)
            continue
        reasons.append(f"{strategy.name}: {reason}")
        if available and first is None:
            first = strategy
    return first, reasons, unusable


def auth_overview(app: Context) -> Dict[str, Dict[str, Any]]:
    """Per provider: connected or not, through what, enabled, the next step, every reason."""
    report: Dict[str, Dict[str, Any]] = {}
    for provider in app.registry.values():
        strategy, reasons, unusable = connection_detail(app, provider)
        report[provider.id] = {
            "connected": strategy is not None,
            "strategy": strategy.name if strategy else None,
            "source": strategy.label if strategy else None,
            "enabled": app.config.provider(provider.id).enabled,
            "next_step": None if strategy else provider.setup_hint,
            "details": reasons,
            # Credentials found that can never work (skipped by the default view).
            "unusable": unusable[0] if unusable and strategy is None else None,
        }
    return report
