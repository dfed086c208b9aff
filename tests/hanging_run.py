"""A vibeusage run whose only strategy starts a child and hangs, for the signal tests and
``bench/sigint_stress.py``: ``python tests/hanging_run.py PID_FILE OUTPUT [ROOT]``.

It writes the child's pid to PID_FILE, then waits forever; the run writes its JSON to
OUTPUT. A signal must end the run quickly and take the child with it.
"""

import sys
import threading
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__)


def spawn_and_hang(ctx: Any) -> Any:
    from vibeusage.kit.processes import spawn_group
    from vibeusage.providers.base import FetchResult

    child = spawn_group(["sleep", "60"])
    Path(sys.argv[1]).write_text(str(child.pid))
    threading.Event().wait()
    return FetchResult()


def main() -> int:
    import vibeusage.providers
    from tests.fakes import FakeStrategy, fake_provider
    from vibeusage.cli import main as vibeusage_main

    provider = fake_provider("slow", [FakeStrategy("slow", behaviour=spawn_and_hang)])
    vibeusage.providers.all_providers = lambda: (provider,)
    return vibeusage_main(["slow", "--json", "--timeout", "60", "-o", sys.argv[2]])


if __name__ == "__main__":
    if len(sys.argv) > 3:
        sys.path.insert(0, sys.argv[3])  # the checkout, so that ``tests`` imports
    sys.exit(main())
