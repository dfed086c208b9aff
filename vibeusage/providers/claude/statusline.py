"""Claude's ``statusline`` strategy: the rate limits Claude Code handed to the statusLine hook.

No request and no credential: ``vibeusage statusline`` keeps what Claude Code sends on every
prompt in a capture file (FEATURES.md §5.2). Fresh within ``statusline_ttl``, it answers;
older, the chain goes on to the endpoints and the capture is only a stale fallback.
"""

import os
from typing import Optional, Tuple

from ...errors import ErrorCategory, VibeusageError
from ...models import UsageSnapshot
from ...paths import state_dir
from ...statusline.capture import read_capture
from ...statusline.location import capture_file, claude_config_dir, config_key
from ...statusline.snapshot import capture_snapshot, statusline_ttl
from ..base import FetchContext, FetchResult, Strategy

INSTALL_HINT = "Run `vibeusage statusline install` so Claude Code hands vibeusage its numbers."


def capture_path(ctx: FetchContext) -> str:
    """The capture of the Claude config dir this run uses (``$CLAUDE_CONFIG_DIR`` or ~/.claude)."""
    config_dir = claude_config_dir(ctx.environ, str(ctx.home))
    return capture_file(str(state_dir(ctx.environ)), config_key(config_dir))


class ClaudeStatusline(Strategy):
    """The capture of Claude Code's statusline input, when recent enough."""

    name = "statusline"
    label = "Claude Code statusline capture"

    def available(self, ctx: FetchContext) -> bool:
        return os.path.isfile(capture_path(ctx))

    def explain(self, ctx: FetchContext) -> str:
        path = capture_path(ctx)
        if not os.path.isfile(path):
            return f"no statusline capture ({path} not found; `vibeusage statusline install`)"
        snapshot, fresh = self._read(ctx)
        if snapshot is None:
            return f"statusline capture in {path} holds no current window"
        state = "fresh" if fresh else "older than statusline_ttl"
        return f"statusline capture in {path} ({state}, from {snapshot.fetched_at.isoformat()})"

    def run(self, ctx: FetchContext) -> FetchResult:
        snapshot, fresh = self._read(ctx)
        if snapshot is not None and fresh:
            return FetchResult.ok(snapshot)
        if snapshot is None:
            message = "Claude Code's statusline capture holds no current window"
        else:
            age = int((ctx.now() - snapshot.fetched_at).total_seconds())
            message = f"Claude Code's statusline capture is {age} s old (past statusline_ttl)"
        return FetchResult.fail(
            VibeusageError(message, ErrorCategory.NOT_FOUND, remediation=INSTALL_HINT)
        )

    def fallback(
        self, ctx: FetchContext, cached: Optional[UsageSnapshot]
    ) -> Optional[UsageSnapshot]:
        """What to show stale when the chain fails: the capture when newer than ``cached``."""
        snapshot, _ = self._read(ctx)
        if snapshot is None or (cached is not None and cached.fetched_at >= snapshot.fetched_at):
            return cached
        return snapshot

    @staticmethod
    def _read(ctx: FetchContext) -> Tuple[Optional[UsageSnapshot], bool]:
        ttl = statusline_ttl(ctx.config.options)
        return capture_snapshot(read_capture(capture_path(ctx)), ctx.now(), ttl)
