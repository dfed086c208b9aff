"""The Prometheus text exposition (FEATURES.md §4), checked line by line against the grammar."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.history_helpers import at
from vibeusage.models import (
    OverageUsage,
    PeriodType,
    ProviderIdentity,
    UsagePeriod,
    UsageSnapshot,
)
from vibeusage.views.prometheus import (
    FAMILIES,
    ProviderMetrics,
    escape_help,
    escape_label_value,
    format_value,
    render_prometheus,
)

NOW = at(days=19, hours=10, minutes=15, seconds=3)  # 2026-09-20T10:15:03Z
NOW_UNIX = 1789899303
RESET = at(days=24, hours=9)

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_LABEL_VALUE = r'"(?:[^"\\\n]|\\[\\"n])*"'
_LABEL = rf"[a-zA-Z_][a-zA-Z0-9_]*={_LABEL_VALUE}"
_VALUE = r"-?(?:\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|Inf|NaN)"
SAMPLE = re.compile(rf"^({_NAME})(\{{(?:{_LABEL}(?:,{_LABEL})*)?\}})? ({_VALUE})$")
HELP = re.compile(rf"^# HELP ({_NAME}) ((?:[^\\\n]|\\[\\n])*)$")
TYPE = re.compile(rf"^# TYPE ({_NAME}) (counter|gauge|histogram|summary|untyped)$")
LABEL_PAIR = re.compile(rf"([a-zA-Z_][a-zA-Z0-9_]*)=({_LABEL_VALUE})")


def unescape(quoted):
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), quoted[1:-1])


def parse_exposition(text):
    """Check the text strictly; returns {family: [(labels dict, value text)]} in order."""
    assert text.endswith("# EOF\n"), "must end with # EOF and a newline"
    lines = text[:-1].split("\n")
    assert lines[-1] == "# EOF" and "# EOF" not in lines[:-1]
    families = {}
    current = None
    expect = "help"
    seen = set()
    for number, row in enumerate(lines[:-1], 1):
        if expect == "help" or row.startswith("# HELP"):
            match = HELP.match(row)
            assert match, f"line {number}: a family must open with HELP: {row!r}"
            current = match.group(1)
            assert current not in families, f"line {number}: family {current} repeated"
            families[current] = []
            expect = "type"
            continue
        if expect == "type":
            match = TYPE.match(row)
            assert match and match.group(1) == current, f"line {number}: TYPE after HELP: {row!r}"
            assert match.group(2) == "gauge"
            expect = "sample"
            continue
        match = SAMPLE.match(row)
        assert match, f"line {number}: not a sample line: {row!r}"
        assert match.group(1) == current, f"line {number}: sample outside its family"
        labels = {k: unescape(v) for k, v in LABEL_PAIR.findall(match.group(2) or "")}
        key = (current, tuple(sorted(labels.items())))
        assert key not in seen, f"line {number}: duplicate series"
        seen.add(key)
        families[current].append((labels, match.group(3)))
    return families


def claude_snapshot(**overrides):
    fields = dict(
        provider="claude",
        fetched_at=NOW - timedelta(seconds=90, microseconds=500000),
        periods=(
            UsagePeriod("Session (5h)", 12, PeriodType.SESSION, NOW + timedelta(hours=2)),
            UsagePeriod("Weekly", 42, PeriodType.WEEKLY, RESET),
            UsagePeriod("Weekly (Opus)", 7, PeriodType.WEEKLY, None, model="opus"),
        ),
        overage=OverageUsage(Decimal("5.5"), Decimal("100"), "USD"),
        identity=ProviderIdentity("person@example.com", "Acme Corp", "Max 5x"),
        source="oauth",
    )
    fields.update(overrides)
    return UsageSnapshot(**fields)


def render(*entries, eta=None):
    return render_prometheus(list(entries), NOW, eta=eta)


def samples(text, family):
    return parse_exposition(text)[family]


def test_every_family_is_written_once_in_the_table_order():
    text = render(ProviderMetrics("claude", claude_snapshot(), True, False))
    assert list(parse_exposition(text)) == [name for name, _ in FAMILIES]
    assert [name for name, _ in FAMILIES] == [
        "vibeusage_window_used_percent",
        "vibeusage_window_resets_at_seconds",
        "vibeusage_window_eta_seconds",
        "vibeusage_provider_up",
        "vibeusage_provider_stale",
        "vibeusage_snapshot_age_seconds",
        "vibeusage_overage_used",
        "vibeusage_overage_limit",
        "vibeusage_run_timestamp_seconds",
    ]


def test_window_samples_carry_provider_window_period_type_and_model():
    text = render(ProviderMetrics("claude", claude_snapshot(), True, False))
    used = samples(text, "vibeusage_window_used_percent")
    assert used == [
        (
            {"provider": "claude", "window": "Session (5h)", "period_type": "session", "model": ""},
            "12",
        ),
        ({"provider": "claude", "window": "Weekly", "period_type": "weekly", "model": ""}, "42"),
        (
            {
                "provider": "claude",
                "window": "Weekly (Opus)",
                "period_type": "weekly",
                "model": "opus",
            },
            "7",
        ),
    ]
    assert 'vibeusage_window_used_percent{provider="claude",window="Weekly",' in text


def test_reset_times_are_unix_seconds_for_windows_that_have_one():
    text = render(ProviderMetrics("claude", claude_snapshot(), True, False))
    resets = samples(text, "vibeusage_window_resets_at_seconds")
    assert [(labels["window"], value) for labels, value in resets] == [
        ("Session (5h)", str(NOW_UNIX + 7200)),
        ("Weekly", str(int(RESET.timestamp()))),
    ]


def test_eta_comes_from_the_pace_for_windows_that_run_out():
    etas = {"Session (5h)": None, "Weekly": 49582, "Weekly (Opus)": 0}
    text = render(
        ProviderMetrics("claude", claude_snapshot(), True, False),
        eta=lambda period, now: etas[period.name] if now == NOW else -1,
    )
    eta = samples(text, "vibeusage_window_eta_seconds")
    assert [(labels["window"], value) for labels, value in eta] == [
        ("Weekly", "49582"),
        ("Weekly (Opus)", "0"),
    ]


def test_without_a_pace_the_eta_family_is_empty_but_declared():
    text = render(ProviderMetrics("claude", claude_snapshot(), True, False))
    assert samples(text, "vibeusage_window_eta_seconds") == []
    assert "# TYPE vibeusage_window_eta_seconds gauge\n" in text


def test_every_requested_provider_gets_up_and_stale():
    text = render(
        ProviderMetrics("claude", claude_snapshot(), True, False),
        ProviderMetrics("codex", claude_snapshot(provider="codex"), False, True),
        ProviderMetrics("cursor", None, False, False),
    )
    up = samples(text, "vibeusage_provider_up")
    stale = samples(text, "vibeusage_provider_stale")
    assert [(labels["provider"], value) for labels, value in up] == [
        ("claude", "1"),
        ("codex", "0"),
        ("cursor", "0"),
    ]
    assert [(labels["provider"], value) for labels, value in stale] == [
        ("claude", "0"),
        ("codex", "1"),
        ("cursor", "0"),
    ]
    age = samples(text, "vibeusage_snapshot_age_seconds")
    assert [labels["provider"] for labels, _ in age] == ["claude", "codex"]  # those with data


def test_all_failed_still_gives_a_whole_exposition():
    text = render(ProviderMetrics("claude", None, False, False))
    families = parse_exposition(text)
    assert families["vibeusage_provider_up"] == [({"provider": "claude"}, "0")]
    assert families["vibeusage_window_used_percent"] == []
    assert families["vibeusage_run_timestamp_seconds"] == [({}, str(NOW_UNIX))]


def test_snapshot_age_is_now_minus_fetched_at_exactly():
    text = render(ProviderMetrics("claude", claude_snapshot(), True, False))
    assert samples(text, "vibeusage_snapshot_age_seconds") == [({"provider": "claude"}, "90.5")]


def test_a_snapshot_from_the_future_has_age_zero():
    snap = claude_snapshot(fetched_at=NOW + timedelta(seconds=3))
    text = render(ProviderMetrics("claude", snap, True, False))
    assert samples(text, "vibeusage_snapshot_age_seconds") == [({"provider": "claude"}, "0")]


def test_overage_is_in_major_units_as_in_the_json_and_limit_only_with_a_cap():
    capped = render(ProviderMetrics("claude", claude_snapshot(), True, False))
    assert samples(capped, "vibeusage_overage_used") == [
        ({"provider": "claude", "currency": "USD"}, "5.50")
    ]
    assert samples(capped, "vibeusage_overage_limit") == [
        ({"provider": "claude", "currency": "USD"}, "100.00")
    ]
    uncapped = claude_snapshot(overage=OverageUsage(Decimal("12.345"), None, "EUR"))
    text = render(ProviderMetrics("claude", uncapped, True, False))
    assert samples(text, "vibeusage_overage_used") == [
        ({"provider": "claude", "currency": "EUR"}, "12.35")
    ]
    assert samples(text, "vibeusage_overage_limit") == []


def test_a_prepaid_balance_without_usage_has_no_overage_sample():
    prepaid = claude_snapshot(overage=OverageUsage(None, None, "USD", balance=Decimal("3")))
    text = render(ProviderMetrics("claude", prepaid, True, False))
    assert samples(text, "vibeusage_overage_used") == []


def test_label_values_escape_backslash_and_quote_and_a_providers_newline_is_a_space():
    odd = 'model "x"\\y\nz'
    period = UsagePeriod(f"Weekly {odd}", 3, PeriodType.WEEKLY, None, model=odd)
    text = render(ProviderMetrics("claude", claude_snapshot(periods=(period,)), True, False))
    assert 'model="model \\"x\\"\\\\y z"' in text
    ((labels, value),) = samples(text, "vibeusage_window_used_percent")
    shown = odd.replace("\n", " ")  # the model neutralises controls from providers
    assert labels["model"] == shown and labels["window"] == f"Weekly {shown}" and value == "3"


def test_escaping_helpers():
    assert escape_label_value('a\\b"c\nd') == 'a\\\\b\\"c\\nd'
    assert escape_help('a\\b"c\nd') == 'a\\\\b"c\\nd'


def test_duplicate_windows_give_one_sample():
    twins = (
        UsagePeriod("Weekly", 3, PeriodType.WEEKLY),
        UsagePeriod("Weekly", 9, PeriodType.WEEKLY),
    )
    text = render(ProviderMetrics("claude", claude_snapshot(periods=twins), True, False))
    assert [v for _, v in samples(text, "vibeusage_window_used_percent")] == ["3"]


def test_no_email_organisation_or_plan_in_the_output():
    text = render(ProviderMetrics("claude", claude_snapshot(), True, False))
    for private in ("person", "example.com", "Acme", "Max 5x", "oauth"):
        assert private not in text


def test_the_run_timestamp_is_now():
    text = render()
    assert samples(text, "vibeusage_run_timestamp_seconds") == [({}, str(NOW_UNIX))]


@pytest.mark.parametrize(
    "value, expected",
    [
        (timedelta(seconds=5), "5"),
        (timedelta(seconds=5, microseconds=250000), "5.25"),
        (timedelta(microseconds=1), "0.000001"),
        (timedelta(seconds=-1, microseconds=500000), "-0.5"),
        (Decimal("0.1"), "0.10"),
        (Decimal("1E+3"), "1000.00"),
        (42, "42"),
    ],
)
def test_values_are_written_exactly(value, expected):
    assert format_value(value) == expected


def test_the_checker_itself_rejects_bad_lines():
    good = render(ProviderMetrics("claude", claude_snapshot(), True, False))
    parse_exposition(good)
    bad = [
        good.replace("# EOF\n", ""),
        good.replace('model="opus"', 'model="op"us"'),
        good.replace("# TYPE vibeusage_provider_up gauge\n", ""),
        good.replace(" 42\n", " 42 1789899303000\n", 1),  # a timestamp
        good + good,
    ]
    for text in bad:
        assert text != good
        with pytest.raises(AssertionError):
            parse_exposition(text)


def test_prometheus_client_parses_it_when_installed():
    parser = pytest.importorskip("prometheus_client.parser")
    text = render(ProviderMetrics("claude", claude_snapshot(), True, False))
    names = [family.name for family in parser.text_string_to_metric_families(text)]
    assert names == [name for name, _ in FAMILIES]
