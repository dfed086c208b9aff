"""The run's context for a long watch: every collection gets a pipeline of its own.

A pipeline remembers which strategies are available for its whole life; a watch lasts
hours, so each collection checks again (a login made meanwhile counts) and nothing a
pipeline holds outlives its collection.
"""

from datetime import datetime
from typing import Any, Callable, Dict, List, Mapping, Sequence

from ..config import Config
from ..paths import Paths
from ..providers.base import Provider
from ..service.context import Context


class RenewedPipelines:
    """``app`` as a service context, with a new pipeline each time one is asked for."""

    def __init__(self, app: Context) -> None:
        self._app = app

    @property
    def environ(self) -> Mapping[str, str]:
        return self._app.environ

    @property
    def clock(self) -> Callable[[], datetime]:
        return self._app.clock

    @property
    def paths(self) -> Paths:
        return self._app.paths

    @property
    def config(self) -> Config:
        return self._app.config

    @property
    def registry(self) -> Dict[str, Provider]:
        return self._app.registry

    def pipeline(self) -> Any:
        from ..pipeline import Pipeline

        return Pipeline(self.config, self.paths, self.environ, clock=self.clock)

    def named_providers(self, names: Sequence[str]) -> List[Provider]:
        return self._app.named_providers(names)

    def enabled_providers(self) -> List[Provider]:
        return self._app.enabled_providers()
