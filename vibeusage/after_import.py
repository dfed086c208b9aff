"""Run a function right after a module is first imported, without importing it now.

The CLI's warning handler needs ``logging``, which costs about a tenth of a cached run's
start-up; runs that never import a module that logs should not pay for it. A finder on
``sys.meta_path`` finds nothing itself: it lets the other finders locate the module and
wraps the loader so that the function runs once the module has been executed.
"""

import sys

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: this is on every command's start-up path
if TYPE_CHECKING:
    from typing import Any, Callable, Optional, Sequence


class AfterImport:
    """Calls ``then`` once, after ``name`` is first imported; :meth:`remove` cancels it."""

    def __init__(self, name: str, then: "Callable[[], None]") -> None:
        self.name = name
        self._then: Optional[Callable[[], None]] = then

    def install(self) -> "AfterImport":
        sys.meta_path.insert(0, self)
        return self

    def remove(self) -> None:
        self._then = None
        try:
            sys.meta_path.remove(self)
        except ValueError:
            pass

    def run(self) -> None:
        then, self._then = self._then, None
        if then is not None:
            then()

    def find_spec(
        self, fullname: str, path: "Optional[Sequence[str]]" = None, target: "Any" = None
    ) -> "Any":
        if fullname != self.name:
            return None
        try:
            sys.meta_path.remove(self)
        except ValueError:
            pass
        for finder in list(sys.meta_path):
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find is not None else None
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        spec.loader = _Then(loader, self)
        return spec


class _Then:
    """A loader that runs its hook after the real loader has executed the module."""

    def __init__(self, loader: "Any", hook: AfterImport) -> None:
        self._loader = loader
        self._hook = hook

    def create_module(self, spec: "Any") -> "Any":
        return self._loader.create_module(spec)

    def exec_module(self, module: "Any") -> None:
        self._loader.exec_module(module)
        self._hook.run()

    def __getattr__(self, name: str) -> "Any":  # get_source, is_package, resources...
        return getattr(self._loader, name)
