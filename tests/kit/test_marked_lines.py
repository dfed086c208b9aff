"""The backward marker search: the same lines as splitting the whole file, found from the end."""

import io
import random
import time
from typing import List, Tuple

import pytest

from vibeusage.kit.marked_lines import marked_lines

MARK = b"token_count"


def by_splitting(data: bytes, marker: bytes, max_line: int) -> List[Tuple[bytes, int]]:
    """The reference: every line split from the start, filtered, last first."""
    found = []
    offset = 0
    for piece in data.split(b"\n"):
        if marker in piece and len(piece) <= max_line:
            found.append((piece[:-1] if piece.endswith(b"\r") else piece, offset))
        offset += len(piece) + 1
    return list(reversed(found))


def search(data: bytes, block_size: int = 64, max_line: int = 1000) -> List[Tuple[bytes, int]]:
    return list(marked_lines(io.BytesIO(data), MARK, block_size=block_size, max_line=max_line))


def random_log(rng: random.Random) -> bytes:
    lines = []
    for _ in range(rng.randrange(0, 40)):
        filler = bytes(rng.choice(b'ab{}":, ') for _ in range(rng.randrange(0, 60)))
        if rng.random() < 0.3:
            cut = rng.randrange(len(filler) + 1)
            filler = filler[:cut] + MARK * rng.randrange(1, 3) + filler[cut:]
        if rng.random() < 0.1:
            filler = filler + b"x" * rng.randrange(100, 300)  # past max_line below
        lines.append(filler + (b"\r" if rng.random() < 0.2 else b""))
    return b"\n".join(lines) + (b"\n" if rng.random() < 0.5 else b"")


@pytest.mark.parametrize("seed", range(150))
def test_finds_exactly_the_lines_splitting_finds_whatever_the_block_size(seed: int) -> None:
    rng = random.Random(seed)
    data = random_log(rng)
    block_size = rng.choice([1, 2, 3, 5, 11, 12, 13, 64, 4096])
    assert search(data, block_size, max_line=120) == by_splitting(data, MARK, 120)


def test_the_marker_in_the_last_line_is_found_with_its_offset() -> None:
    data = b'{"a": 1}\n{"type": "token_count", "n": 2}\n'
    assert search(data) == [(b'{"type": "token_count", "n": 2}', 9)]


@pytest.mark.parametrize("split", range(1, len(MARK)))
def test_a_marker_split_across_a_block_boundary_is_found(split: int) -> None:
    # The block boundary falls ``split`` bytes into the marker.
    head = b"x" * 40 + b"\n" + b"y" * 5
    line_end = b'"}\n' + b"z" * 30 + b"\n"
    data = head + MARK + line_end
    block_size = len(data) - (len(head) + split)
    assert search(data, block_size=block_size) == [(b"y" * 5 + MARK + b'"}', 41)]


def test_crlf_line_endings_lose_the_cr() -> None:
    data = b"one\r\nwith token_count\r\nthree\r\n"
    assert search(data, block_size=4) == [(b"with token_count", 5)]


def test_the_last_line_counts_without_a_final_newline() -> None:
    data = b"first token_count\nlast token_count"
    assert search(data, block_size=5) == [(b"last token_count", 18), (b"first token_count", 0)]


def test_a_truncated_last_line_is_given_as_it_is() -> None:
    data = b'{"token_count": 1}\n{"token_count": 2, "rate'
    assert search(data, block_size=8)[0] == (b'{"token_count": 2, "rate', 19)


def test_a_huge_line_with_many_markers_is_skipped_and_its_neighbours_kept() -> None:
    huge = b"[" + (MARK + b" ") * 50_000 + b"]"
    data = b"before token_count\n" + huge + b"\nafter token_count\n"
    calls = []
    handle = io.BytesIO(data)
    original = handle.read

    def counting_read(size: int = -1) -> bytes:
        calls.append(size)
        return original(size)

    handle.read = counting_read  # type: ignore[method-assign]
    got = list(marked_lines(handle, MARK, block_size=4096, max_line=10_000))
    assert got == [(b"after token_count", len(data) - 18), (b"before token_count", 0)]
    # Every byte is read a bounded number of times (no rescan per marker in the huge line).
    assert sum(calls) < 4 * len(data)


def test_a_huge_first_line_is_skipped() -> None:
    data = MARK * 500 + b"\nsecond token_count\n"
    assert search(data, block_size=100, max_line=1000) == [(b"second token_count", 5501)]


def test_the_end_offset_bounds_the_search() -> None:
    data = b"a token_count\nb token_count\nc"
    assert search_to(data, 14) == [(b"a token_count", 0)]


def search_to(data: bytes, end: int) -> List[Tuple[bytes, int]]:
    return list(marked_lines(io.BytesIO(data), MARK, end, block_size=4))


def test_a_file_shorter_than_expected_stops_the_search_quietly() -> None:
    data = b"a token_count\n"
    assert list(marked_lines(io.BytesIO(data), MARK, end=len(data) + 100)) == []


def test_a_passed_deadline_raises_timeout_error() -> None:
    with pytest.raises(TimeoutError):
        list(marked_lines(io.BytesIO(b"x" * 1000), MARK, deadline=time.monotonic() - 1))


@pytest.mark.parametrize("marker", [b"", b"a\nb"])
def test_a_marker_that_cannot_be_searched_for_is_refused(marker: bytes) -> None:
    with pytest.raises(ValueError):
        list(marked_lines(io.BytesIO(b"x"), marker))


def test_lines_starting_before_the_floor_are_not_searched() -> None:
    data = b"a token_count\nb token_count\nc token_count\n"
    got = list(marked_lines(io.BytesIO(data), MARK, floor=15, block_size=4))
    assert got == [(b"c token_count", 28)]
    straddling = list(marked_lines(io.BytesIO(data), MARK, floor=14, block_size=4))
    assert straddling == [(b"c token_count", 28), (b"b token_count", 14)]
