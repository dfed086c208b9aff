"""The kit's parts for API-key providers: key cleaning, business-error envelopes, Cloudflare
block pages, and regional hosts (configured region, order, first answer, memory)."""

from datetime import timedelta
from pathlib import Path
from typing import Any, Dict, List

import pytest

from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.kit.api_keys import FoundKey, clean_key, key_from_environ
from vibeusage.kit.cloudflare import cloudflare_block
from vibeusage.kit.envelope import business_status, code_number, shown_text
from vibeusage.kit.regions import (
    RegionMemory,
    configured_region,
    first_answer,
    region_order,
)
from vibeusage.kit.state import ProviderState
from vibeusage.paths import Paths

REGIONS = ("global", "cn")


# --- api keys ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, key",
    [
        ("abc", "abc"),
        ("  abc\n", "abc"),
        ('"abc"', "abc"),
        ("'abc'", "abc"),
        ("\"'abc'\"", "'abc'"),  # one pair only
        ('"abc', '"abc'),
        ('""', None),
        ("   ", None),
        (None, None),
        (12, None),
    ],
)
def test_clean_key_strips_whitespace_and_one_pair_of_quotes(value, key):
    assert clean_key(value) == key


def test_key_from_environ_takes_the_first_non_blank_variable():
    environ = {"A": " ", "B": "'b-key'", "C": "c-key"}
    assert key_from_environ(environ, ("A", "B", "C")) == ("B", "b-key")
    assert key_from_environ(environ, ("X",)) is None


def test_found_key_repr_masks_the_key():
    found = FoundKey("sk-cp-VerySecretValueOfAKey0001", "MINIMAX_API_KEY", "the key")
    assert "VerySecretValue" not in repr(found) and "MINIMAX_API_KEY" in repr(found)


# --- envelopes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, code",
    [
        (200, 200),
        ("200", 200),
        (" 0 ", 0),
        ("-1", -1),
        (200.0, 200),
        (1.5, None),
        (True, None),
        ("2OO", None),
        ("١٢", None),
        (None, None),
        ([200], None),
        ("9" * 40, None),
        (10**400, None),
        (1e300, None),
    ],
)
def test_code_number_reads_ints_and_numeric_strings_only(value, code):
    assert code_number(value) == code


def test_shown_text_is_printable_one_line_and_short():
    assert shown_text("a\x1b[2J\x00b\n c\ud800") == "a [2J b c"
    assert shown_text(None) == "" and shown_text(5) == ""
    long = shown_text("x" * 500, 20)
    assert len(long) == 20 and long.endswith("…")


def test_business_status_is_found_in_the_first_place_that_has_it():
    places = (("base_resp",), ("data", "base_resp"), ())
    nested = {"data": {"base_resp": {"status_code": "1004", "status_msg": "cookie"}}}
    status = business_status(nested, "status_code", "status_msg", places)
    assert status is not None and (status.code, status.message) == (1004, "cookie")
    flat = business_status({"status_code": 1002}, "status_code", "status_msg", places)
    assert flat is not None and (flat.code, flat.message) == (1002, "")
    junk = business_status({"status_code": "oops"}, "status_code", "status_msg", places)
    assert junk is not None and junk.code is None
    assert business_status({"data": []}, "status_code", "status_msg", places) is None
    assert business_status([1], "status_code", "status_msg", places) is None


# --- Cloudflare ---------------------------------------------------------------------------------


class Answer:
    def __init__(self, status: int, text: str, headers: Dict[str, str]) -> None:
        self.status_code = status
        self.text = text
        self.headers = headers


PAGE = (Path(__file__).parents[1] / "fixtures" / "minimax" / "cloudflare-1010.html").read_text(
    encoding="utf-8"
)


def test_cloudflare_page_is_a_network_error_naming_its_code():
    error = cloudflare_block(Answer(403, PAGE, {"Content-Type": "text/html"}), "MiniMax", "later")
    assert error is not None and error.category is ErrorCategory.NETWORK
    assert error.message == "MiniMax's Cloudflare front blocked the request (error 1010)"
    assert error.remediation == "later" and error.status_code == 403


@pytest.mark.parametrize(
    "answer",
    [
        Answer(403, '{"error": "cloudflare"}', {"Content-Type": "application/json"}),
        Answer(503, "<html>Service down</html>", {"Content-Type": "text/html"}),
        Answer(200, "", {}),
    ],
)
def test_other_answers_are_not_block_pages(answer):
    assert cloudflare_block(answer, "X") is None


def test_attention_required_page_and_cf_mitigated_header_are_blocks():
    page = Answer(403, "<title>Attention Required!</title>", {"Content-Type": "text/html"})
    assert cloudflare_block(page, "X") is not None
    header = cloudflare_block(Answer(403, "", {"cf-mitigated": "challenge"}), "X")
    assert header is not None and "(HTTP 403)" in header.message


# --- regions ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, region", [(None, None), ("global", "global"), (" CN ", "cn")])
def test_configured_region(value, region):
    options = {} if value is None else {"region": value}
    assert configured_region(options, "zai", REGIONS) == region


@pytest.mark.parametrize("value", ["eu", "", "auto", 3])
def test_invalid_region_is_a_configuration_error_naming_the_table_and_values(value):
    with pytest.raises(VibeusageError) as caught:
        configured_region({"region": value}, "zai", REGIONS)
    assert caught.value.category is ErrorCategory.CONFIGURATION
    assert "[providers.zai]" in caught.value.message
    assert '"global" or "cn"' in caught.value.message


def test_region_order():
    assert region_order(None, "global", REGIONS) == ("global", "cn")
    assert region_order(None, "cn", REGIONS) == ("cn", "global")
    assert region_order("cn", "global", REGIONS) == ("cn",)


def rejected(message: str) -> VibeusageError:
    return VibeusageError(message, ErrorCategory.AUTHENTICATION)


def test_first_answer_moves_on_only_after_a_rejection_and_reports_the_first():
    asked: List[str] = []

    def ask(region: str) -> str:
        asked.append(region)
        if region == "global":
            raise rejected("global said no")
        return f"data from {region}"

    assert first_answer(REGIONS, ask) == ("cn", "data from cn")
    assert asked == ["global", "cn"]

    def refuse(region: str) -> Any:
        raise rejected(f"{region} said no")

    with pytest.raises(VibeusageError, match="global said no"):
        first_answer(REGIONS, refuse)

    def down(region: str) -> Any:
        asked.append(region)
        raise VibeusageError("down", ErrorCategory.PROVIDER)

    asked.clear()
    with pytest.raises(VibeusageError, match="down"):
        first_answer(REGIONS, down)
    assert asked == ["global"]


def test_region_memory_is_per_key_and_expires(tmp_path, now):
    state = ProviderState(Paths(tmp_path / "config", tmp_path / "cache"), "zai")
    memory = RegionMemory(state)
    memory.remember("key-one-0123456789", "cn", now)
    assert memory.recall("key-one-0123456789", now, REGIONS) == "cn"
    assert memory.recall("key-two-0123456789", now, REGIONS) is None
    assert memory.recall("key-one-0123456789", now + timedelta(days=31), REGIONS) is None
    stored = (tmp_path / "cache" / "providers" / "zai" / "region.json").read_text(encoding="utf-8")
    assert "key-one" not in stored
