"""The usage run without the command line: which providers to ask, and what they answered."""

from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

from ..errors import ErrorCategory, VibeusageError
from ..pipeline import ProviderResult, RunOptions
from ..providers.manifest import Provider
from .context import Context
from .report import Report

#: Called with the ids still pending and the seconds elapsed, while a run is under way.
ProgressCallback = Callable[[List[str], float], None]


@dataclass(frozen=True)
class Selection:
    """The providers a usage run covers, in order, and whether the user named them."""

    providers: Tuple[Provider, ...]
    named: bool = False

    @property
    def single(self) -> bool:
        """Exactly one provider was named (its JSON is the bare snapshot)."""
        return self.named and len(self.providers) == 1

    @property
    def first_run(self) -> bool:
        """Nothing named and nothing connected: show the set-up guide instead of a report."""
        return not self.providers and not self.named


def select_providers(app: Context, names: Sequence[str] = (), offline: bool = False) -> Selection:
    """Named providers (even without credentials), else the enabled ones worth asking.

    Offline, those are the enabled providers with a cached snapshot (credentials are not
    even looked for, since some checks open databases); with none cached that is an
    error. Otherwise they are the enabled providers with credentials.
    """
    pipeline = app.pipeline()
    named = app.named_providers(names)
    if named:
        return Selection(tuple(named), named=True)
    if offline:
        cached = tuple(p for p in app.enabled_providers() if pipeline.has_cache(p))
        if not cached:
            raise NothingCached()
        return Selection(cached)
    return Selection(tuple(p for p in app.enabled_providers() if pipeline.has_credentials(p)))


def collect(
    app: Context,
    selection: Selection,
    options: RunOptions,
    on_progress: Optional[ProgressCallback] = None,
) -> Report:
    """Run the pipeline over the selection; an empty selection is an empty report."""
    results: List[ProviderResult] = []
    if selection.providers:
        results = app.pipeline().run(list(selection.providers), options, on_progress=on_progress)
    return Report(tuple(results), app.clock(), single=selection.single)


class NothingCached(VibeusageError):
    """``--offline`` with no cached data at all (exit 3: the data is only behind the network)."""

    def __init__(self) -> None:
        super().__init__(
            "Nothing is cached yet",
            ErrorCategory.NETWORK,
            remediation="Run `vibeusage` once without --offline.",
        )
