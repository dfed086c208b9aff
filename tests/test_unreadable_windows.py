"""A window that is sent but cannot be read is never dropped in silence (issue 13 #4).

Every provider, from outside (``vibeusage --json <id> --refresh`` with ``responses``), is fed
its real fixture with window values corrupted: one window unreadable among readable ones is
a snapshot note naming it (exit 0); a response in which no window can be read is a parse
error (exit 1), never an empty snapshot.
"""

import copy
from dataclasses import dataclass
from typing import Any, Callable, Dict, FrozenSet, Optional, Sequence, Tuple, Union

import pytest

from tests import faults
from tests.conftest import CliResult, Home, load_fixture
from tests.faults import SETUPS
from tests.providers.vertexai_support import (
    NOW as VERTEX_NOW,
)
from tests.providers.vertexai_support import (
    PROJECT,
    TOKEN_URL,
    FakeMonitoring,
    untouched,
    usage_pages,
    write_user_adc,
)

BAD = "eleven"
Path = Tuple[Union[str, int], ...]


@dataclass(frozen=True)
class Case:
    #: Paths into the usage fixture set to ``BAD``, making one window unreadable.
    one: Sequence[Path]
    #: What the note names (the window), or None when this is the provider's only window.
    names: Optional[str]
    #: Keys corrupted wherever they occur, making every window unreadable.
    every: FrozenSet[str]
    #: Which of the provider's requests answers the usage (Gemini asks its tier first).
    endpoint: int = 0


CASES: Dict[str, Case] = {
    "claude": Case(
        [("five_hour", "utilization")],
        'five_hour: utilization "eleven" is unreadable',
        frozenset({"utilization", "percent"}),
    ),
    "codex": Case(
        [("rate_limit", "primary_window", "used_percent")],
        'primary window: used percent "eleven" is unreadable',
        frozenset({"used_percent"}),
    ),
    "copilot": Case(
        [
            ("quota_snapshots", "premium_interactions", key)
            for key in ("percent_remaining", "remaining", "quota_remaining")
        ],
        'Premium requests: percent_remaining "eleven" is unreadable',
        frozenset({"percent_remaining", "remaining", "quota_remaining"}),
    ),
    "cursor": Case(
        [("individualUsage", "plan", key) for key in ("totalPercentUsed", "used")],
        'Monthly: totalPercentUsed "eleven" is unreadable',
        frozenset({"totalPercentUsed", "used"}),
    ),
    "gemini": Case(
        [("buckets", 3, "remainingFraction")],
        'gemini-2.5-pro: remainingFraction "eleven" is unreadable',
        frozenset({"remainingFraction"}),
        endpoint=1,
    ),
    "zai": Case(
        [("data", "limits", 0, "percentage")],
        "TOKENS_LIMIT: no readable usage figure",
        frozenset({"percentage", "usage", "currentValue", "remaining"}),
    ),
    "minimax": Case(
        [("data", "model_remains", 0, "current_interval_remaining_percent")],
        "current_interval_remaining_percent could not be read",
        frozenset({"current_interval_remaining_percent", "current_weekly_remaining_percent"}),
    ),
    "factory": Case(
        [("limits", "standard", "fiveHour", "usedPercent")],
        "Session (5h): the percent used could not be read",
        frozenset({"usedPercent"}),
    ),
    "augment": Case(
        [("amount_included_per_cycle",)], None, frozenset({"amount_included_per_cycle"})
    ),
    "kiro": Case(
        [("usageBreakdownList", 0, "overageCapWithPrecision")],
        "Overage credits: the overage cap is unreadable",
        frozenset({"currentUsageWithPrecision", "currentUsage"}),
    ),
    "antigravity": Case(
        [("groups", 0, "buckets", 0, "remainingFraction")],
        "Gemini Models: Weekly Limit Remaining: no remaining fraction",
        frozenset({"remainingFraction", "value"}),
    ),
}


def set_path(document: Any, path: Path, value: Any) -> None:
    node = document
    for key in path[:-1]:
        node = node[key]
    assert path[-1] in node if isinstance(node, dict) else True, path
    node[path[-1]] = value


def corrupt_keys(document: Any, keys: FrozenSet[str]) -> int:
    """Set every ``keys`` entry anywhere in ``document`` to ``BAD``; how many were set."""
    count = 0
    if isinstance(document, dict):
        for key in list(document):
            if key in keys and not isinstance(document[key], (dict, list)):
                document[key] = BAD
                count += 1
            else:
                count += corrupt_keys(document[key], keys)
    elif isinstance(document, list):
        for item in document:
            count += corrupt_keys(item, keys)
    return count


def run_with(
    provider: str,
    mutate: Callable[[Any], None],
    home: Home,
    mocked: Any,
    monkeypatch: pytest.MonkeyPatch,
    cli: Callable[..., CliResult],
) -> CliResult:
    usage = SETUPS[provider].endpoints[CASES[provider].endpoint]
    payload = copy.deepcopy(load_fixture(usage.fixture))
    mutate(payload)
    faults.set_up([provider], home, monkeypatch)
    faults.answer_healthy(mocked, provider, skip=[usage])
    mocked.add(usage.method, usage.url, json=payload)
    faults.answer_fallbacks(mocked, provider, {"json": payload})
    result = cli(provider, "--json", "--refresh")
    faults.assert_clean_output(result)
    return result


def assert_parse_error(result: CliResult) -> Dict[str, Any]:
    error = faults.error_of(result)
    assert (error["category"], result.code) == ("parse", 1), error
    return error


@pytest.mark.parametrize("provider", list(CASES))
def test_one_unreadable_window_is_a_note_naming_it(provider, home, mocked, monkeypatch, cli):
    case = CASES[provider]

    def mutate(payload: Any) -> None:
        for path in case.one:
            set_path(payload, path, BAD)

    result = run_with(provider, mutate, home, mocked, monkeypatch, cli)
    if case.names is None:  # the provider's only window: nothing readable is left
        assert "unreadable" in assert_parse_error(result)["message"]
        return
    assert result.code == 0, result.out + result.err
    snapshot = result.json()
    assert snapshot["periods"], "the readable windows are still shown"
    assert any(case.names in note for note in snapshot["notes"]), snapshot["notes"]


@pytest.mark.parametrize("provider", list(CASES))
def test_a_response_with_no_readable_window_is_a_parse_error(
    provider, home, mocked, monkeypatch, cli
):
    case = CASES[provider]

    def mutate(payload: Any) -> None:
        assert corrupt_keys(payload, case.every)

    result = run_with(provider, mutate, home, mocked, monkeypatch, cli)
    error = assert_parse_error(result)
    assert error["provider"] == provider


def test_every_registered_provider_is_covered():
    from vibeusage.providers import PROVIDER_IDS

    assert set(PROVIDER_IDS) == set(CASES) | {"vertexai"}


# --- Vertex AI: time series, its own set-up -----------------------------------------------------


@pytest.fixture
def vertex(home: Home, mocked: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    path = write_user_adc(home)
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", PROJECT)
    mocked.post(TOKEN_URL, json=load_fixture("vertexai/token-refresh.json"))
    with untouched(path):
        yield


def _vertex_usage(corrupt_every: bool) -> Any:
    pages = usage_pages()
    if corrupt_every:
        assert corrupt_keys(pages, frozenset({"int64Value", "doubleValue"}))
    else:
        for point in pages[0]["timeSeries"][0]["points"]:
            point["value"] = {"int64Value": BAD}
    return pages


def test_vertexai_unreadable_values_are_a_note_naming_the_quota(vertex, mocked, cli):
    FakeMonitoring(mocked, usage=_vertex_usage(corrupt_every=False))
    result = cli("vertexai", "--json", "--refresh", clock=lambda: VERTEX_NOW)
    assert result.code == 0, result.out + result.err
    notes = result.json()["notes"]
    assert any("could not be read" in n and "aiplatform.googleapis.com/" in n for n in notes)


def test_vertexai_usage_none_of_which_can_be_read_is_a_parse_error(vertex, mocked, cli):
    FakeMonitoring(mocked, usage=_vertex_usage(corrupt_every=True))
    result = cli("vertexai", "--json", "--refresh", clock=lambda: VERTEX_NOW)
    assert_parse_error(result)
