"""``vibeusage doctor``: everything needed to understand a set-up, safe to paste in a report."""

import argparse
import platform
import re
import sys
from typing import Any, Dict, List

from .. import __version__
from ..cache import LastRun
from ..errors import ConfigError, redact
from .app import App, add_output_options, new_parser
from .auth import connection
from .cache_cmd import describe

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
_URL_PASSWORD = re.compile(r"(?<=://)([^:/@\s]+):([^@/\s]+)@")


def build_parser(app: App) -> argparse.ArgumentParser:
    parser = new_parser(
        app.terminal,
        prog="vibeusage doctor",
        description=(
            "Version, Python, platform, paths, proxy settings, each provider's strategies "
            "with why they are or are not available, back-off state and the last attempts. "
            "Secrets are masked."
        ),
    )
    add_output_options(parser)
    return parser


def collect(app: App) -> Dict[str, Any]:
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
            )
        },
        "environment": {
            name: _URL_PASSWORD.sub(r"\1:***@", app.environ[name])
            for name in PROXY_VARIABLES
            if app.environ.get(name)
        },
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


def run(app: App, args: argparse.Namespace) -> int:
    report = collect(app)
    if args.json:
        import json

        app.emit(redact(json.dumps(report, indent=2, ensure_ascii=False)) + "\n")
        return 0
    app.emit(redact("\n".join(_text(report))) + "\n")
    return 0


def _text(report: Dict[str, Any]) -> List[str]:
    lines = [
        f"vibeusage {report['vibeusage']} on {report['implementation']} {report['python']}",
        f"platform: {report['platform']}",
        "paths:",
    ]
    for name, entry in report["paths"].items():
        lines.append(f"  {name}: {entry['path']} ({'exists' if entry['exists'] else 'missing'})")
    lines.append("environment:" if report["environment"] else "environment: no proxy settings")
    lines += [f"  {name}={value}" for name, value in report["environment"].items()]
    config = report["config"]
    lines.append("config: valid" if config["valid"] else f"config: INVALID: {config['error']}")
    for pid, entry in report["providers"].items():
        state = "enabled" if entry["enabled"] else "disabled"
        lines.append(f"{pid} ({state}, auth_source={entry['auth_source']}):")
        lines += [f"  {reason}" for reason in entry["strategies"]]
        for name, gate in entry["cache"]["gate"].items():
            until = gate["closed_until"] or "open"
            lines.append(f"  back-off {name}: {until} ({gate['reason'] or 'recent failures'})")
        run = entry["last_run"]
        if run:
            outcome = f"ok via {run['source']}" if run["success"] else f"failed: {run['error']}"
            lines.append(f"  last run {run['at']}: {outcome}")
            for attempt in run.get("attempts") or []:
                mark = "ok" if attempt.get("success") else attempt.get("error")
                lines.append(
                    f"    {attempt.get('strategy')}: {mark} ({attempt.get('duration_ms')} ms)"
                )
    return lines
