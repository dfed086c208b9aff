"""``watch --help`` and ``alert --help`` stay on the light start-up path (fresh interpreters)."""

import pytest

from tests.test_startup import HEAVY, loaded


@pytest.mark.parametrize("argv", [["watch", "--help"], ["alert", "--help"]])
def test_watch_and_alert_help_load_no_network_table_or_process_code(home, argv):
    code, modules = loaded(argv)
    assert code == 0
    assert not modules & {*HEAVY, "tabulate", "vibeusage.pipeline", "vibeusage.alert.run"}
    assert not {m for m in modules if m.startswith(("vibeusage.watch", "vibeusage.alert"))}
