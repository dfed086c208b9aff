"""The lines of a log file that contain a marker, last first, found by searching backwards.

Large append-only logs (the Codex CLI's session files reach gigabytes) hold the wanted line
near their end, or only far back. Splitting every line costs about a second per gigabyte in
Python; this searches fixed-size blocks from the end for the marker bytes instead (in C) and
cuts out only the lines that hold it. Memory stays flat: one block, plus one line of at most
``max_line`` bytes when the marker is found.
"""

import os
import time
from typing import Iterator, List, Optional, Protocol, Tuple

BLOCK_SIZE = 1024 * 1024
#: Lines longer than this are skipped unread (tool output can be megabytes on one line).
MAX_LINE = 1024 * 1024
NEWLINE = b"\n"


class Log(Protocol):
    """A seekable binary file (``open(path, "rb", buffering=0)``, ``io.BytesIO``)."""

    def seek(self, offset: int, whence: int = ..., /) -> int: ...

    def read(self, size: int = ..., /) -> Optional[bytes]: ...

    def readinto(self, buffer: memoryview, /) -> Optional[int]: ...


def marked_lines(
    handle: Log,
    marker: bytes,
    end: Optional[int] = None,
    deadline: float = float("inf"),
    block_size: int = BLOCK_SIZE,
    max_line: int = MAX_LINE,
    floor: int = 0,
) -> Iterator[Tuple[bytes, int]]:
    """Each line of ``handle`` (before ``end``) holding ``marker``, last first, with its offset.

    Only lines starting at or after ``floor`` are given (the search stops there).

    Lines come without their newline (nor a CR before it); the last line counts even
    without a final newline. Lines longer than ``max_line`` are skipped. Raises
    ``TimeoutError`` once ``time.monotonic()`` passes ``deadline`` (checked every block);
    stops quietly if the file shrinks while being read. ``handle`` must be unbuffered
    (``buffering=0``) or seekable with ``readinto``.
    """
    if not marker or NEWLINE in marker:
        raise ValueError("the marker must be non-empty bytes without a newline")
    if end is None:
        end = handle.seek(0, os.SEEK_END)
    reach = len(marker) - 1  # a marker straddling a block boundary is found in the later block
    block = bytearray(block_size + reach)  # one buffer, reused: memory stays flat
    view = memoryview(block)
    search_end = end  # markers starting at or after this are done with
    while search_end > floor:
        if time.monotonic() > deadline:
            raise TimeoutError("the search ran past its deadline")
        pos = max(0, search_end - block_size)
        size = min(end, search_end + reach) - pos
        if not _fill(handle, pos, view[:size]):
            return
        line_floor = search_end  # hits at or after this lie in lines already given
        for hit in reversed(_all(block, marker, size)):  # each starts before search_end
            if pos + hit >= line_floor:
                continue
            found = _line_around(
                handle, block, pos, size, hit, len(marker), end, max_line, deadline
            )
            if found is None:
                return
            line_floor, line = found
            if line_floor < floor:
                return
            if line is not None:
                yield line, line_floor
            if line_floor <= pos:
                break
        search_end = min(pos, line_floor)


def _all(block: bytearray, marker: bytes, stop: int) -> List[int]:
    """Where ``marker`` lies whole in ``block[:stop]``, first to last (``find`` is faster
    than ``rfind``; a block rarely holds more than a few)."""
    found = []
    hit = block.find(marker, 0, stop)
    while hit >= 0:
        found.append(hit)
        hit = block.find(marker, hit + 1, stop)
    return found


def _line_around(
    handle: Log,
    block: bytearray,
    pos: int,
    size: int,
    hit: int,
    width: int,
    end: int,
    max_line: int,
    deadline: float,
) -> Optional[Tuple[int, Optional[bytes]]]:
    """Where the line holding ``block[hit:]`` starts, and the line (None: too long).

    None when the file changed under us.
    """
    newline = block.rfind(NEWLINE, 0, hit)
    floor = max(0, pos + hit - max_line)
    if newline >= 0:
        start: Optional[int] = pos + newline + 1
    else:
        start = _newline_before(handle, pos, floor, deadline)
    if start is None:  # longer than max_line: find its start only to go on before it
        start = _newline_before(handle, min(pos, floor), 0, deadline)
        return None if start is None else (start, None)
    newline = block.find(NEWLINE, hit + width, size)
    if newline >= 0:
        stop: Optional[int] = pos + newline
    else:
        stop = _newline_after(handle, pos + size, min(end, start + max_line + 1), end)
    if stop is None or stop - start > max_line:
        return start, None
    if start >= pos and stop <= pos + size:
        line = bytes(block[start - pos : stop - pos])
    else:
        read = _read(handle, start, stop - start)
        if read is None:
            return None
        line = read
    return start, line[:-1] if line.endswith(b"\r") else line


def _newline_before(handle: Log, before: int, floor: int, deadline: float) -> Optional[int]:
    """The start of the line that holds offset ``before - 1``, looking back no further than
    ``floor``; 0 at the file's start, None if no newline lies in ``[floor, before)``."""
    position = before
    while position > floor:
        if time.monotonic() > deadline:
            raise TimeoutError("the search ran past its deadline")
        size = min(BLOCK_SIZE, position - floor)
        chunk = _read(handle, position - size, size)
        if chunk is None:
            return None
        newline = chunk.rfind(NEWLINE)
        if newline >= 0:
            return position - size + newline + 1
        position -= size
    return 0 if position == 0 else None


def _newline_after(handle: Log, after: int, limit: int, end: int) -> Optional[int]:
    """The offset of the first newline in ``[after, limit)``; ``end`` when the file ends
    first without one, None when the line goes on past ``limit``."""
    position = after
    while position < limit:
        size = min(BLOCK_SIZE, limit - position)
        chunk = _read(handle, position, size)
        if chunk is None:
            return None
        newline = chunk.find(NEWLINE)
        if newline >= 0:
            return position + newline
        position += size
    return end if position >= end else None


def _fill(handle: Log, offset: int, into: memoryview) -> bool:
    """Fill ``into`` from ``offset``; False when the file is shorter now."""
    handle.seek(offset)
    done = 0
    while done < len(into):
        count = handle.readinto(into[done:])
        if not count:
            return False
        done += count
    return True


def _read(handle: Log, offset: int, size: int) -> Optional[bytes]:
    """Exactly ``size`` bytes at ``offset``, or None when the file is shorter now."""
    handle.seek(offset)
    data = handle.read(size)
    return data if data is not None and len(data) == size else None
