"""The strategy of an API key sold on regional sites (Z.ai, MiniMax): which host, in turn.

The key is found locally; the start region is the one that last answered this key, else
the one the key came with; a configured ``region`` is the only host asked. Each provider
says how to find its key and how one region is asked (``kit.regions`` holds the rules).
"""

from datetime import datetime
from typing import Dict, Optional, Tuple

from ..errors import ErrorCategory, VibeusageError
from ..kit.api_keys import FoundKey
from ..kit.http import Http
from ..kit.regions import RegionMemory, configured_region, first_answer, region_order
from ..models import UsageSnapshot
from .base import FetchContext, FetchResult, Strategy


class RegionalKeyStrategy(Strategy):
    """``api_key``: the key found, asked of the regions in turn until one answers."""

    name = "api_key"
    #: The provider's id (its ``[providers.<id>]`` table holds ``region``).
    provider_id = ""
    regions: Tuple[str, ...] = ()
    #: Region name -> base URL.
    hosts: Dict[str, str] = {}
    #: The error without a key, and what to do about it.
    no_key_message = ""
    no_key_remediation = ""

    # -- what each provider says ---------------------------------------------------------

    def find_key(self, ctx: FetchContext) -> Optional[FoundKey]:
        """The key this run would use, or None; raises when a stored key is unreadable."""
        raise NotImplementedError

    def no_key_explanation(self, ctx: FetchContext) -> str:
        """``explain`` without a key: every place a key is looked for."""
        raise NotImplementedError

    def key_remark(self, found: FoundKey) -> str:
        """Said of a found key in ``explain`` (e.g. that it can have no plan quota)."""
        return ""

    def ask_region(self, http: Http, region: str, found: FoundKey, now: datetime) -> UsageSnapshot:
        """The snapshot from one region's host; a rejected key raises an auth error."""
        raise NotImplementedError

    # -- the strategy --------------------------------------------------------------------

    def available(self, ctx: FetchContext) -> bool:
        try:
            return self.find_key(ctx) is not None
        except VibeusageError:
            return True  # an unreadable stored key: run() says what is wrong with it

    def explain(self, ctx: FetchContext) -> str:
        try:
            found = self.find_key(ctx)
            configured = configured_region(ctx.config.options, self.provider_id, self.regions)
        except VibeusageError as exc:
            return exc.message
        if found is None:
            return self.no_key_explanation(ctx)
        order = region_order(configured, found.region or self.regions[0], self.regions)
        hosts = " then ".join(self.hosts[region].split("//")[1] for region in order)
        return f"{found.where}{self.key_remark(found)}; asks {hosts}"

    def run(self, ctx: FetchContext) -> FetchResult:
        found = self.find_key(ctx)
        if found is None:
            raise VibeusageError(
                self.no_key_message,
                ErrorCategory.AUTHENTICATION,
                remediation=self.no_key_remediation,
            )
        configured = configured_region(ctx.config.options, self.provider_id, self.regions)
        memory = RegionMemory(ctx.state)
        now = ctx.now()
        start = memory.recall(found.api_key, now, self.regions) or found.region or self.regions[0]
        region, snapshot = first_answer(
            region_order(configured, start, self.regions),
            lambda r: self.ask_region(ctx.http, r, found, now),
        )
        if configured is None:
            memory.remember(found.api_key, region, now)
        return FetchResult.ok(snapshot)
