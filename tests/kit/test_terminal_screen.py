"""The terminal kit's screen: strip_ansi, the emulated screen and cell widths.

The recorded screens are Claude Code's (``fixtures/claude/screens``): real TUI output, the
hardest kind of input the emulator has to replay.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES
from vibeusage.kit.terminal.screen import COLUMNS, ROWS, Screen, render_screen, strip_ansi

SCREENS = FIXTURES / "claude" / "screens"
ROOT = Path(__file__).resolve().parent.parent.parent


def recorded(name: str) -> str:
    """A recorded screen, byte for byte (no newline translation: CRs matter)."""
    return (SCREENS / name).read_bytes().decode("utf-8")


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("\x1b[1m\x1b[38;5;174mCurrent session\x1b[22m\x1b[39m", "Current session"),
        ("Welcome\x1b[9Gto\x1b[12GClaude", "Welcome to Claude"),  # spaces drawn as moves
        ("a\x1b[3Cb", "a   b"),
        ("50% used\r60% used", "60% used"),
        ("abcdef\rxy", "xycdef"),
        ("one\r\r\ntwo\r\n", "one\ntwo\n"),
        ("\x1b]0;\u2733 Claude Code\x07title gone", "title gone"),
        ("\x1b[?25l\x1b[?2004h\x1b(B\x0fmodes gone\x1b[>4m\x1b[<u", "modes gone"),
        ("keep\x1b[Kthis\x1b[1Dx", "keepthix"),
        ("top\x1b[2Bbottom", "top\nbottom"),  # another line: a new line, not an overwrite
        ("cut here\x1b[12", "cut here"),  # an unfinished sequence at the end goes
        ("tab\tstop", "tab     stop"),
    ],
)
def test_strip_ansi_removes_sequences_and_keeps_the_text_readable(raw: str, plain: str) -> None:
    assert strip_ansi(raw) == plain


def test_screen_replays_moves_up_and_rewrites_like_a_terminal() -> None:
    text = "first\r\nLoading…\r\nEsc\r\n\x1b[2A\r\x1b[2Kdone\x1b[K\r\n\x1b[J"
    assert render_screen(text) == "first\ndone"


def test_screen_keeps_lines_that_scrolled_away_and_wraps_long_ones() -> None:
    text = "".join(f"line {n}\r\n" for n in range(ROWS + 5)) + "x" * (COLUMNS + 3)
    lines = render_screen(text).split("\n")
    assert lines[0] == "line 0"
    assert lines[-2:] == ["x" * COLUMNS, "xxx"]


def test_screen_restores_the_main_screen_after_the_alternate_one() -> None:
    text = "main\x1b[?1049halternate\x1b[?1049l"
    assert render_screen(text) == "main"


def test_screen_feed_in_pieces_equals_feed_at_once() -> None:
    text = recorded("usage-max-models.txt")
    pieces = Screen()
    for start in range(0, len(text), 7):  # cuts through escape sequences
        pieces.feed(text[start : start + 7])
    assert pieces.text() == render_screen(text)
    assert "41% used" in pieces.text()


def test_recorded_trust_dialog_renders_as_claude_code_shows_it() -> None:
    rendered = render_screen(recorded("trust-dialog.txt")).split("\n")
    assert " ❯ 1. Yes, I trust this folder" in rendered
    assert " Enter to confirm · Esc to cancel" in rendered
    assert any("Quick safety check: Is this a project you created" in line for line in rendered)


def test_wide_characters_take_two_cells_and_combining_marks_none() -> None:
    # "全" is two cells wide: the cursor move lands after it, not on its second half.
    assert render_screen("\u5168\x1b[4Gx") == "\u5168 x"
    assert render_screen("e\u0301\x1b[2Gz") == "e\u0301z"


def test_wide_character_that_does_not_fit_wraps_to_the_next_line() -> None:
    assert render_screen("abcd\u5168", columns=5, rows=3) == "abcd\n\u5168"


def test_visible_text_is_the_screen_now_and_text_adds_the_scrollback() -> None:
    screen = Screen(10, 2)
    screen.feed("one\r\ntwo\r\nthree")
    assert screen.visible_text() == "two\nthree"
    assert screen.text() == "one\ntwo\nthree"


def test_sequence_split_between_feeds_is_kept_until_its_end_arrives() -> None:
    screen = Screen(20, 3)
    screen.feed("ab\x1b[")
    screen.feed("5Gc")
    assert screen.visible_text().split("\n")[0] == "ab  c"


PROBE = """
import io, json, sys, contextlib
from vibeusage.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    main(json.loads(sys.argv[1]))
print(json.dumps(sorted(m for m in sys.modules if m.startswith("vibeusage.kit"))))
"""


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["claude", "--help"]])
def test_start_up_never_imports_the_terminal_kit(home: Any, argv: Any) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=str(ROOT),
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert proc.returncode == 0, proc.stderr
    kit = json.loads(proc.stdout.strip().splitlines()[-1])
    assert not [name for name in kit if name.startswith("vibeusage.kit.terminal")]
