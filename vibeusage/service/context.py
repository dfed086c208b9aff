"""What the service needs from a run's context (the commands' App provides it)."""

from datetime import datetime
from typing import Any, Callable, Dict, List, Mapping, Protocol, Sequence

from ..config import Config
from ..paths import Paths
from ..providers.manifest import Provider


class Context(Protocol):
    """Environment, clock, paths, configuration, the provider registry and the pipeline."""

    @property
    def environ(self) -> Mapping[str, str]: ...

    @property
    def clock(self) -> Callable[[], datetime]: ...

    @property
    def paths(self) -> Paths: ...

    @property
    def config(self) -> Config: ...

    @property
    def registry(self) -> Dict[str, Provider]: ...

    def pipeline(self) -> Any: ...

    def named_providers(self, names: Sequence[str]) -> List[Provider]: ...

    def enabled_providers(self) -> List[Provider]: ...
