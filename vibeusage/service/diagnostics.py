"""What ``doctor`` reports: versions, paths, proxy settings, each provider's chain and last run."""

import platform
import re
import sys
from typing import Any, Dict, List

from .. import __version__
from ..cache import LastRun
from ..errors import ConfigError
from ..paths import state_dir
from .cache_state import describe
from .connections import connection
from .context import Context

PROXY_VARIABLES = (
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "SSL_CERT_FILE",
)
#: Variables naming a CA bundle file: a missing file fails every HTTPS request.
CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")
_URL_PASSWORD = re.compile(r"(?<=://)([^:/@\s]+):([^@/\s]+)@")


def diagnose(app: Context) -> Dict[str, Any]:
    """The doctor report (proxy passwords masked; the views redact tokens on output)."""
    paths = app.paths
    report: Dict[str, Any] = {
        "vibeusage": __version__,
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": f"{sys.platform} ({platform.platform()})",
        "paths": {
            name: {"path": str(path), "exists": path.exists()}
            for name, path in (
                ("config_file", paths.config_file),
                ("credentials_dir", paths.credentials_dir),
                ("cache_dir", paths.cache_dir),
                ("state_dir", state_dir(app.environ)),
            )
        },
        "environment": {
            name: _URL_PASSWORD.sub(r"\1:***@", app.environ[name])
            for name in PROXY_VARIABLES
            if app.environ.get(name)
        },
        "problems": _missing_ca_bundles(app.environ),
    }
    try:
        app.config  # noqa: B018 - loading validates the file
        report["config"] = {"valid": True, "error": None}
    except ConfigError as exc:
        report["config"] = {"valid": False, "error": exc.message}
        report["providers"] = {}
        return report
    providers: Dict[str, Any] = {}
    for provider in app.registry.values():
        first, reasons = connection(app, provider)
        providers[provider.id] = {
            "enabled": app.config.provider(provider.id).enabled,
            "auth_source": app.config.provider(provider.id).auth_source,
            "would_use": first.name if first else None,
            "strategies": reasons,
            "cache": describe(app, provider.id),
            "last_run": LastRun(paths.cache_dir).load(provider.id),
        }
    report["providers"] = providers
    return report


def _missing_ca_bundles(environ: Any) -> List[str]:
    """One line per CA bundle variable that names a file that does not exist."""
    from pathlib import Path

    return [
        f"{name} names {environ[name]}, which does not exist: every HTTPS request will fail"
        for name in CA_VARIABLES
        if environ.get(name) and not Path(environ[name]).exists()
    ]
