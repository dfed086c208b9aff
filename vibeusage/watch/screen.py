"""The terminal under a live view: alternate screen, hidden cursor, no echo, size, redraws.

Everything written is composed here as strings; :class:`LiveScreen` only adds the terminal
modes, and always restores them (exit, Ctrl-C, SIGTERM, an error) when it is closed.
"""

import os
from typing import IO, Any, List, Mapping, Optional, Tuple

ENTER = "\x1b[?1049h\x1b[?25l"  # alternate screen, cursor hidden
LEAVE = "\x1b[?25h\x1b[?1049l"  # cursor shown, main screen back as it was
HOME = "\x1b[H"
CLEAR_LINE_END = "\x1b[K"
CLEAR_BELOW = "\x1b[J"
DEFAULT_SIZE = (80, 24)


def redraw(frame: str) -> str:
    """Cursor home, the frame's lines each cleared to their end, the rest of the screen cleared.

    Nothing is erased before it is overwritten, so a redraw never flickers; no newline
    follows the last line, so the screen never scrolls.
    """
    lines = frame.split("\n")
    return HOME + "\n".join(line + CLEAR_LINE_END for line in lines) + CLEAR_BELOW


def terminal_size(stream: Any, environ: Mapping[str, str]) -> Tuple[int, int]:
    """(columns, rows) of the terminal behind ``stream``, else ``COLUMNS``/``LINES``, else 80x24."""
    try:
        size = os.get_terminal_size(stream.fileno())
        if size.columns > 0 and size.lines > 0:
            return size.columns, size.lines
    except (AttributeError, OSError, ValueError):
        pass
    columns = _positive(environ.get("COLUMNS"))
    rows = _positive(environ.get("LINES"))
    return columns or DEFAULT_SIZE[0], rows or DEFAULT_SIZE[1]


def _positive(text: Optional[str]) -> Optional[int]:
    try:
        value = int(text or "")
    except ValueError:
        return None
    return value if value > 0 else None


class LiveScreen:
    """The alternate screen with the cursor hidden and typing not echoed, until closed."""

    def __init__(self, out: IO[str], keyboard: Any) -> None:
        self.out = out
        self.keyboard = keyboard
        self._saved: Optional[Tuple[int, List[Any]]] = None
        self._open = False

    def open(self) -> None:
        self._saved = _echo_off(self.keyboard)
        self._open = True
        self.out.write(ENTER)
        self.out.flush()

    def draw(self, frame: str) -> None:
        self.out.write(redraw(frame))
        self.out.flush()

    def close(self) -> None:
        """Leave the alternate screen and give echo back (idempotent, never raises)."""
        if self._open:
            self._open = False
            try:
                self.out.write(LEAVE)
                self.out.flush()
            except (OSError, ValueError):
                pass
        if self._saved is not None:
            _restore(self._saved)
            self._saved = None


def _echo_off(stream: Any) -> Optional[Tuple[int, List[Any]]]:
    """Stop the terminal echoing typed keys over the view; the settings to restore, or None."""
    try:
        import termios
    except ImportError:  # not on Windows
        return None
    try:
        fd = stream.fileno()
        if not os.isatty(fd):
            return None
        saved = termios.tcgetattr(fd)
        quiet = termios.tcgetattr(fd)
        quiet[3] &= ~termios.ECHO
        termios.tcsetattr(fd, termios.TCSANOW, quiet)
    except (termios.error, AttributeError, OSError, ValueError):
        return None
    return fd, saved


def _restore(saved: Tuple[int, List[Any]]) -> None:
    import termios

    try:
        termios.tcsetattr(saved[0], termios.TCSADRAIN, saved[1])
    except (termios.error, OSError, ValueError):
        pass
