"""A small terminal emulator: replays what a program wrote to a terminal, as text.

Terminal programs (TUIs) draw with cursor moves and redraws rather than plain lines, so
their output is replayed on an emulated screen (:class:`Screen`) before anything is read
from it. Imported only when a program is driven or its output read, never at start-up.
"""

import re
import unicodedata
from typing import List, Optional, Tuple

#: Default size of an emulated screen, in cells.
COLUMNS = 120
ROWS = 40
#: Lines kept once they scroll off the top.
SCROLLBACK = 5000

#: One escape sequence, control character or run of printable text.
_TOKEN = re.compile(
    r"(?P<csi>(?:\x1b\[|\x9b)(?P<params>[0-?]*)(?P<inter>[ -/]*)(?P<final>[@-~]))"
    r"|(?P<string>(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]{0,4096}"
    r"(?:\x07|\x1b\\|\x9c))"
    r"|(?P<esc>\x1b[ -/]*[0-OQ-WYZ\\`-~])"
    r"|(?P<ctrl>[\x00-\x1a\x1c-\x1f\x7f-\x9f])"
    r"|(?P<text>[^\x00-\x1f\x7f-\x9f]+)",
)
#: The start of a sequence whose end has not come (yet).
_UNFINISHED = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*"
    r"|\x1b[ -/]*"
)
#: An unfinished sequence shorter than this at the end of a chunk waits for the next one.
_MAX_PENDING = 4200


def _tokens(data: str, final: bool) -> "Tuple[List[re.Match[str]], str]":
    """The tokens of ``data`` and the unfinished tail to keep for the next chunk."""
    tokens: List[re.Match[str]] = []
    pos, end = 0, len(data)
    while pos < end:
        match = _TOKEN.match(data, pos)
        if match is None:  # an ESC that does not start a complete sequence
            if end - pos < _MAX_PENDING and _UNFINISHED.fullmatch(data, pos):
                # Cut off at the end: wait for the rest, or (at the very end) drop it.
                return tokens, "" if final else data[pos:]
            pos += 1
            continue
        tokens.append(match)
        pos = match.end()
    return tokens, ""


def _params(text: str, default: int) -> List[int]:
    values = []
    for part in text.split(";"):
        head = part.split(":")[0]
        values.append(int(head) if head.isdigit() and len(head) < 6 else default)
    return values


def _cell_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def strip_ansi(text: str) -> str:
    """Plain text of terminal output, read line by line.

    Escape sequences (CSI, OSC, DCS, charset and mode switches) go; cursor moves along a
    line become spaces (``Welcome\\x1b[9Gto`` reads "Welcome to"); a carriage return goes
    back to the line's start so what follows overwrites (``50%\\r60%`` reads "60%") and
    ``\\r\\n`` is a plain line break; a move to another line starts a new line. For output
    that redraws (moves up and rewrites), see :func:`render_screen`.
    """
    lines: List[str] = []
    row: List[str] = []
    x = 0

    def put(chars: str) -> None:
        nonlocal x
        if x > len(row):
            row.extend(" " * (x - len(row)))
        row[x : x + len(chars)] = list(chars)
        x += len(chars)

    def newline() -> None:
        nonlocal row, x
        lines.append("".join(row))
        row, x = [], 0

    for token in _tokens(text, final=True)[0]:
        kind = token.lastgroup
        if kind == "text":
            put(token.group("text"))
        elif kind == "ctrl":
            char = token.group("ctrl")
            if char in "\n\x0b\x0c":
                newline()
            elif char == "\r":
                x = 0
            elif char == "\b":
                x = max(0, x - 1)
            elif char == "\t":
                put(" " * (8 - x % 8))
        elif kind == "csi" and not token.group("inter") and token.group("params")[:1] not in "<=>?":
            final, params = token.group("final"), token.group("params")
            count = _params(params, 1)[0] or 1
            if final in "G`":
                x = max(0, count - 1)
            elif final in "Ca":
                x += count
            elif final == "D":
                x = max(0, x - count)
            elif final == "K":
                mode = _params(params, 0)[0]
                if mode == 0:
                    del row[x:]
                elif mode == 1:
                    row[: x + 1] = [" "] * min(len(row), x + 1)
                else:
                    row = []
            elif final in "ABEFHfdJ":
                if "".join(row).strip():
                    newline()
                else:
                    row = []
                if final in "Hf":
                    x = max(0, (_params(params, 1) + [1])[1] - 1)
                elif final in "EF":
                    x = 0
    lines.append("".join(row))
    return "\n".join(line.rstrip() for line in lines)


def render_screen(text: str, columns: int = COLUMNS, rows: int = ROWS) -> str:
    """What a ``columns`` x ``rows`` terminal shows after ``text``, scrollback first."""
    screen = Screen(columns, rows)
    screen.feed(text, final=True)
    return screen.text()


class Screen:
    """A small terminal emulator: enough of xterm to replay a diffing TUI renderer.

    Printing with wrap, CR/LF/BS/TAB, cursor moves (CUU/CUD/CUF/CUB/CNL/CPL/CHA/CUP/VPA),
    erase (ED/EL/ECH), insert/delete (ICH/DCH/IL/DL), scroll (SU/SD, margins, IND/RI/NEL),
    save/restore cursor and the alternate screen. Colours and modes are ignored. Lines that
    scroll off the top are kept (``text()``), so earlier frames can still be read.
    """

    def __init__(self, columns: int = COLUMNS, rows: int = ROWS, scrollback: int = SCROLLBACK):
        self.columns = max(2, columns)
        self.rows = max(2, rows)
        self.scrollback = scrollback
        self.history: List[str] = []
        self._pending = ""
        self._reset()

    def _reset(self) -> None:
        self.grid = [self._blank() for _ in range(self.rows)]
        self.x = self.y = 0
        self.wrap_pending = False
        self.top, self.bottom = 0, self.rows - 1
        self.saved = (0, 0)
        self.main: Optional[Tuple[List[List[str]], int, int]] = None

    def _blank(self) -> List[str]:
        return [" "] * self.columns

    # -- reading -------------------------------------------------------------------------------

    def visible_text(self) -> str:
        """The rows on screen now, trailing spaces removed (what a person sees)."""
        return "\n".join("".join(row).rstrip() for row in self.grid)

    def text(self) -> str:
        """Scrollback then the screen, trailing blank lines removed."""
        lines = self.history + ["".join(row).rstrip() for row in self.grid]
        while lines and not lines[-1]:
            lines.pop()
        return "\n".join(lines)

    # -- writing -------------------------------------------------------------------------------

    def feed(self, text: str, final: bool = False) -> None:
        """Replay ``text``; a sequence cut off at the end waits for more unless ``final``."""
        tokens, self._pending = _tokens(self._pending + text, final)
        for token in tokens:
            kind = token.lastgroup
            if kind == "text":
                self._print(token.group("text"))
            elif kind == "ctrl":
                self._control(token.group("ctrl"))
            elif kind == "csi":
                self._csi(token.group("params"), token.group("inter"), token.group("final"))
            elif kind == "esc":
                self._escape(token.group("esc")[1:])

    def _print(self, text: str) -> None:
        if text.isascii():
            while text:
                if self.wrap_pending:
                    self._wrap()
                room = self.columns - self.x
                part, text = text[:room], text[room:]
                self.grid[self.y][self.x : self.x + len(part)] = list(part)
                if self.x + len(part) >= self.columns:
                    self.x, self.wrap_pending = self.columns - 1, True
                else:
                    self.x += len(part)
            return
        for char in text:
            width = _cell_width(char)
            if width == 0:
                if self.x > 0 or self.wrap_pending:
                    column = self.x if self.wrap_pending else self.x - 1
                    self.grid[self.y][column] += char
                continue
            if self.wrap_pending or self.x + width > self.columns:
                self._wrap()
            row = self.grid[self.y]
            row[self.x] = char
            if width == 2:
                row[self.x + 1] = ""
            if self.x + width >= self.columns:
                self.x, self.wrap_pending = self.columns - 1, True
            else:
                self.x += width

    def _wrap(self) -> None:
        self.x, self.wrap_pending = 0, False
        self._linefeed()

    def _control(self, char: str) -> None:
        if char in "\n\x0b\x0c":
            # A line feed also returns the carriage, as a terminal's ONLCR does (Node keeps it
            # on in raw mode): text written without a pseudo-terminal reads the same way.
            self.x = 0
            self._linefeed()
        elif char == "\r":
            self.x, self.wrap_pending = 0, False
        elif char == "\b":
            self.x, self.wrap_pending = max(0, self.x - 1), False
        elif char == "\t":
            self.x = min(self.columns - 1, (self.x // 8 + 1) * 8)

    def _linefeed(self) -> None:
        self.wrap_pending = False
        if self.y == self.bottom:
            self._scroll_up(1)
        elif self.y < self.rows - 1:
            self.y += 1

    def _scroll_up(self, count: int) -> None:
        for _ in range(min(count, self.rows)):
            line = self.grid.pop(self.top)
            if self.top == 0 and self.main is None:
                self.history.append("".join(line).rstrip())
            self.grid.insert(self.bottom, self._blank())
        if len(self.history) > self.scrollback:
            del self.history[: len(self.history) - self.scrollback]

    def _scroll_down(self, count: int) -> None:
        for _ in range(min(count, self.rows)):
            self.grid.pop(self.bottom)
            self.grid.insert(self.top, self._blank())

    def _escape(self, rest: str) -> None:
        if rest == "7":
            self.saved = (self.x, self.y)
        elif rest == "8":
            self.x, self.y = self.saved
            self.wrap_pending = False
        elif rest == "D":
            self._linefeed()
        elif rest == "E":
            self.x = 0
            self._linefeed()
        elif rest == "M":
            self.wrap_pending = False
            if self.y == self.top:
                self._scroll_down(1)
            else:
                self.y = max(0, self.y - 1)
        elif rest == "c":
            self._reset()

    def _csi(self, params: str, inter: str, final: str) -> None:
        if inter:
            return
        if params[:1] in ("<", "=", ">", "?"):
            if params[:1] == "?" and final in "hl":
                self._private_mode(_params(params[1:], 0), final == "h")
            return
        counts = _params(params, 1)
        count = max(1, counts[0])
        self.wrap_pending = False
        if final == "A":
            self.y = max(0, self.y - count)
        elif final in "Be":
            self.y = min(self.rows - 1, self.y + count)
        elif final in "Ca":
            self.x = min(self.columns - 1, self.x + count)
        elif final == "D":
            self.x = max(0, min(self.x, self.columns - 1) - count)
        elif final == "E":
            self.x, self.y = 0, min(self.rows - 1, self.y + count)
        elif final == "F":
            self.x, self.y = 0, max(0, self.y - count)
        elif final in "G`":
            self.x = min(self.columns - 1, count - 1)
        elif final in "Hf":
            column = counts[1] if len(counts) > 1 else 1
            self.y = min(self.rows - 1, max(1, count) - 1)
            self.x = min(self.columns - 1, max(1, column) - 1)
        elif final == "d":
            self.y = min(self.rows - 1, count - 1)
        elif final in "JK":
            mode = _params(params, 0)[0]
            if final == "J":
                self._erase_display(mode)
            else:
                self._erase_line(mode)
        elif final == "X":
            row = self.grid[self.y]
            end = min(self.columns, self.x + count)
            row[self.x : end] = [" "] * (end - self.x)
        elif final == "P":
            row = self.grid[self.y]
            del row[self.x : self.x + count]
            row.extend(" " * (self.columns - len(row)))
        elif final == "@":
            row = self.grid[self.y]
            row[self.x : self.x] = [" "] * count
            del row[self.columns :]
        elif final in "LM" and self.top <= self.y <= self.bottom:
            for _ in range(min(count, self.bottom - self.y + 1)):
                if final == "L":
                    self.grid.pop(self.bottom)
                    self.grid.insert(self.y, self._blank())
                else:
                    self.grid.pop(self.y)
                    self.grid.insert(self.bottom, self._blank())
        elif final == "S":
            self._scroll_up(count)
        elif final == "T":
            self._scroll_down(count)
        elif final == "r":
            top = counts[0] if params else 1
            bottom = counts[1] if len(counts) > 1 else self.rows
            if 1 <= top < bottom <= self.rows:
                self.top, self.bottom = top - 1, bottom - 1
            else:
                self.top, self.bottom = 0, self.rows - 1
            self.x = self.y = 0
        elif final == "s" and not params:
            self.saved = (self.x, self.y)
        elif final == "u" and not params:
            self.x, self.y = self.saved

    def _erase_display(self, mode: int) -> None:
        if mode == 0:
            self._erase_line(0)
            for y in range(self.y + 1, self.rows):
                self.grid[y] = self._blank()
        elif mode == 1:
            self._erase_line(1)
            for y in range(self.y):
                self.grid[y] = self._blank()
        elif mode == 2:
            self.grid = [self._blank() for _ in range(self.rows)]

    def _erase_line(self, mode: int) -> None:
        row = self.grid[self.y]
        x = min(self.x, self.columns - 1)
        if mode == 0:
            row[x:] = [" "] * (self.columns - x)
        elif mode == 1:
            row[: x + 1] = [" "] * (x + 1)
        elif mode == 2:
            self.grid[self.y] = self._blank()

    def _private_mode(self, modes: List[int], enable: bool) -> None:
        if not any(mode in (47, 1047, 1049) for mode in modes):
            return
        if enable and self.main is None:
            self.main = (self.grid, self.x, self.y)
            self.grid = [self._blank() for _ in range(self.rows)]
            self.x = self.y = 0
        elif not enable and self.main is not None:
            self.grid, self.x, self.y = self.main
            self.main = None


__all__ = ["COLUMNS", "ROWS", "SCROLLBACK", "Screen", "render_screen", "strip_ansi"]
