"""Antigravity's ``language_server`` strategy: ask the running app's (or IDE's) local server.

The server (found by ``discovery``) speaks Connect RPC with JSON on loopback, over TLS with
a self-signed certificate, and wants its CSRF token in ``X-Codeium-Csrf-Token``. Its port is
the first listening one that answers ``GetUnleashData`` with 200 (HTTPS first, then plain
HTTP on the same ports, then the extension server's port with its own token). Then
``RetrieveUserQuotaSummary`` gives the quota (the IDE's server answers 404 there: then
``GetUserStatus``, then ``GetCommandModelConfigs``), and ``GetUserStatus`` the identity.
The token that reads the quota is the app's; vibeusage only passes the CSRF token, which is
never shown. Every request goes to a literal loopback address (``kit.loopback``).
"""

import time
from pathlib import Path
from typing import Any, List, Optional, Tuple

from ...errors import ErrorCategory, VibeusageError
from ...kit.http import decoding
from ...kit.loopback import loopback_post, loopback_url
from ...kit.procscan import PROC
from ...models import ProviderIdentity, UsageSnapshot
from ..base import FetchContext, FetchResult, Strategy
from .discovery import LanguageServer, find_servers
from .local import NAME
from .usage import parse_model_configs, parse_summary, parse_user_status, user_identity

SERVICE = "exa.language_server_pb.LanguageServerService"
REQUEST_TIMEOUT = 3.0
#: Kept back from the budget so that the strategy ends before the pipeline abandons it.
RESERVE = 0.5
RESTART_HINT = "Restart Antigravity."
UNLEASH_BODY = {
    "context": {
        "properties": {"ide": "antigravity", "ideVersion": "unknown", "extensionVersion": "unknown"}
    }
}
METADATA_BODY = {
    "metadata": {
        "ideName": "antigravity",
        "extensionName": "antigravity",
        "ideVersion": "unknown",
        "locale": "en",
    }
}


class _Endpoint:
    """A selected server address: base URL and the CSRF token it accepts."""

    def __init__(self, scheme: str, host: str, port: int, token: str) -> None:
        self.scheme, self.host, self.port, self.token = scheme, host, port, token

    def url(self, method: str) -> str:
        return loopback_url(self.scheme, self.host, self.port, f"{SERVICE}/{method}")

    def headers(self) -> dict:  # type: ignore[type-arg]
        return {
            "Content-Type": "application/json",
            "Connect-Protocol-Version": "1",
            "X-Codeium-Csrf-Token": self.token,
        }


class AntigravityLanguageServer(Strategy):
    """The running Antigravity app's or IDE's language server, over loopback."""

    name = "language_server"
    label = "Antigravity app or IDE (local language server)"

    def __init__(self, proc_root: Optional[Path] = None) -> None:
        #: Where Linux processes are read from (tests point it at a fake tree).
        self.proc_root = proc_root

    def servers(self, ctx: FetchContext) -> List[LanguageServer]:
        return find_servers(ctx.platform, ctx.environ, self.proc_root or PROC)

    def available(self, ctx: FetchContext) -> bool:
        return bool(self.servers(ctx))

    def explain(self, ctx: FetchContext) -> str:
        servers = self.servers(ctx)
        if not servers:
            return f"{self.label}: no running Antigravity language server with a CSRF token"
        shown = ", ".join(
            f"pid {s.pid} ({s.app_data_dir or 'antigravity'}, {len(s.ports)} listening ports)"
            for s in servers
        )
        return f"{self.label}: {shown}"

    def run(self, ctx: FetchContext) -> FetchResult:
        deadline = time.monotonic() + ctx.timeout - RESERVE
        servers = self.servers(ctx)
        if not servers:
            raise VibeusageError(
                "No running Antigravity language server was found",
                ErrorCategory.AUTHENTICATION,
                remediation="Open the Antigravity app or IDE, then retry.",
            )
        refused = 0
        for server in servers:
            endpoint, rejected = self._select(ctx, server, deadline)
            refused += rejected
            if endpoint is not None:
                return FetchResult.ok(self._quota(ctx, endpoint, deadline))
        if refused:
            raise VibeusageError(
                "Antigravity's language server refused the CSRF token on every port",
                ErrorCategory.AUTHENTICATION,
                remediation=RESTART_HINT,
            )
        raise VibeusageError(
            "Antigravity's language server did not answer on any of its ports",
            ErrorCategory.NETWORK,
            remediation=RESTART_HINT,
        )

    def _select(
        self, ctx: FetchContext, server: LanguageServer, deadline: float
    ) -> Tuple[Optional[_Endpoint], int]:
        """The first address answering ``GetUnleashData`` with 200, and how many said 401."""
        candidates = [_Endpoint("https", p.host, p.port, server.csrf_token) for p in server.ports]
        candidates += [_Endpoint("http", p.host, p.port, server.csrf_token) for p in server.ports]
        if server.extension_port is not None:
            token = server.extension_csrf_token or server.csrf_token
            candidates.append(_Endpoint("http", "127.0.0.1", server.extension_port, token))
        refused = 0
        for endpoint in candidates:
            try:
                response = self._post(ctx, endpoint, "GetUnleashData", UNLEASH_BODY, deadline)
            except VibeusageError:  # refused, TLS on a plain port, silent: the next one
                continue
            if response is None:
                break
            if response.status_code == 200:
                return endpoint, refused
            if response.status_code == 401:
                refused += 1
        return None, refused

    def _quota(self, ctx: FetchContext, endpoint: _Endpoint, deadline: float) -> UsageSnapshot:
        now = ctx.now()
        response = self._post(
            ctx, endpoint, "RetrieveUserQuotaSummary", {}, deadline, accept=(200, 404)
        )
        if response is None:
            raise _out_of_time()
        if response.status_code == 200:
            payload = ctx.http.json(response, "the quota summary")
            identity = self._identity(ctx, endpoint, deadline)
            with decoding(NAME, "the quota summary"):
                return parse_summary(payload, now, self.name, identity)
        try:  # an IDE's server: only the per-model view
            status = self._call(ctx, endpoint, "GetUserStatus", deadline)
            with decoding(NAME, "the user status"):
                return parse_user_status(status, now, self.name)
        except VibeusageError as exc:
            if exc.category is ErrorCategory.AUTHENTICATION:
                raise
        configs = self._call(ctx, endpoint, "GetCommandModelConfigs", deadline)
        with decoding(NAME, "the model configurations"):
            items = configs.get("clientModelConfigs") if isinstance(configs, dict) else None
            return parse_model_configs(items, now, self.name)

    def _identity(
        self, ctx: FetchContext, endpoint: _Endpoint, deadline: float
    ) -> Optional[ProviderIdentity]:
        """Email and plan from ``GetUserStatus``; its failure costs nothing but them."""
        try:
            return user_identity(self._call(ctx, endpoint, "GetUserStatus", deadline))
        except VibeusageError:
            return None

    def _call(self, ctx: FetchContext, endpoint: _Endpoint, method: str, deadline: float) -> Any:
        response = self._post(ctx, endpoint, method, METADATA_BODY, deadline, accept=(200,))
        if response is None:
            raise _out_of_time()
        return ctx.http.json(response, method)

    def _post(
        self,
        ctx: FetchContext,
        endpoint: _Endpoint,
        method: str,
        body: Any,
        deadline: float,
        accept: Tuple[int, ...] = (200, 401, 403, 404),
    ) -> Any:
        """One POST (None when no time is left); a status outside ``accept`` raises."""
        left = min(REQUEST_TIMEOUT, deadline - time.monotonic())
        if left <= 0:
            return None
        return loopback_post(
            ctx.http,
            endpoint.url(method),
            what=method,
            json=body,
            headers=endpoint.headers(),
            timeout=(left, left),
            ok=accept,
            remediation={401: RESTART_HINT, 403: RESTART_HINT},
        )


def _out_of_time() -> VibeusageError:
    return VibeusageError(
        "Antigravity's language server did not answer in time", ErrorCategory.NETWORK
    )
