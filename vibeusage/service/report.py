"""One usage run's outcome: the results in provider order, when, and the exit code they mean."""

from dataclasses import dataclass
from datetime import datetime
from typing import Tuple

from ..errors import ExitCode
from ..pipeline import ProviderResult


@dataclass(frozen=True)
class Report:
    """The results of a run, the time to render them for, and whether one provider was named."""

    results: Tuple[ProviderResult, ...]
    now: datetime
    single: bool = False

    @property
    def exit_code(self) -> int:
        """0 when everything is fresh, 5 when some data was shown, else the first failure's code."""
        if all(r.fresh for r in self.results):
            return ExitCode.OK
        if any(r.snapshot is not None for r in self.results):
            return ExitCode.PARTIAL
        for result in self.results:
            if result.error is not None:
                return result.error.exit_code
        return ExitCode.ERROR
