"""``vibeusage auth [PROVIDER] [--delete]``: how each provider connects, and connecting one."""

from __future__ import annotations

import argparse
import sys

from .app import App, add_output_options, new_parser

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs start-up time
if TYPE_CHECKING:
    from typing import Any, Optional

    from ..providers.base import LoginIO, Provider, SecretSpec


def build_parser(app: App) -> argparse.ArgumentParser:
    parser = new_parser(
        app.terminal,
        prog="vibeusage auth",
        description=(
            "Without a provider: which providers are connected and through what. With one: "
            "detect its tool's login, or store a session value you paste (validated first)."
        ),
    )
    parser.add_argument("provider", nargs="?", help="provider id")
    parser.add_argument(
        "--delete", action="store_true", help="remove what vibeusage stored for the provider"
    )
    parser.add_argument(
        "-f", "--force", action="store_true", help="store a value that fails the format check"
    )
    add_output_options(parser)
    return parser


def run(app: App, args: argparse.Namespace) -> int:
    if args.provider is None:
        return _overview(app, args)
    provider = app.provider(args.provider)
    if args.delete:
        return _delete(app, args, provider)
    return _connect(app, args, provider)


def _overview(app: App, args: argparse.Namespace) -> int:
    from ..service.connections import auth_overview

    report = auth_overview(app)
    if args.json:
        app.emit_json(report)
        return 0
    from ..views.auth import overview_table

    app.emit(overview_table(report, app.width()))
    return 0


def _connect(app: App, args: argparse.Namespace, provider: Provider) -> int:
    from ..errors import ErrorCategory, VibeusageError
    from ..service import keys
    from ..service.connections import connection_detail, fetch_context
    from ..views.auth import connected_message

    if provider.login is not None:
        from ..kit.tools import tools_policy

        ctx = fetch_context(app, provider)
        with tools_policy(ctx.tools_ban):  # a login flow starts no program run_tools forbids
            summary = provider.login(ctx, _login_io(app))
        keys.forget_cache(app, provider)
        _report(app, args, provider, True, provider.name, summary)
        return 0
    strategy, _, unusable = connection_detail(app, provider)
    spec = provider.secret
    # A value piped in is always taken; a terminal is only asked when nothing is connected.
    piped = "" if app.terminal.stdin_tty else str(app.terminal.stdin.read()).strip()
    if spec is not None and (piped or (strategy is None and app.terminal.stdin_tty)):
        return _store_secret(app, args, provider, spec, piped or None)
    if strategy is None and unusable:
        raise VibeusageError(
            f"{provider.name}'s login cannot be used: {unusable[0]}",
            ErrorCategory.AUTHENTICATION,
            remediation=provider.setup_hint,
        )
    if strategy is None:
        raise VibeusageError(
            f"{provider.name} is not connected",
            ErrorCategory.AUTHENTICATION,
            remediation=provider.setup_hint
            + (f" Or pipe a {spec.label} into `vibeusage auth {provider.id}`." if spec else ""),
        )
    fallback = provider.id if spec is not None and strategy.name != "web" else None
    message = connected_message(provider.name, strategy.label, fallback)
    _report(app, args, provider, True, strategy.label, message)
    return 0


def _store_secret(
    app: App, args: argparse.Namespace, provider: Provider, spec: SecretSpec, given: Optional[str]
) -> int:
    from ..errors import ErrorCategory, VibeusageError, mask_secret
    from ..service import keys
    from ..views.auth import paste_prompt, stored_message
    from .secrets import read_secret_value

    if given is None:
        app.terminal.say(paste_prompt(provider.setup_hint, spec.label))
    value = read_secret_value(app, given, f"{spec.label}: ")
    problem = spec.check(value)
    if problem and not args.force:
        raise VibeusageError(
            f"This does not look like a {provider.name} credential: {problem}",
            ErrorCategory.CONFIGURATION,
            remediation="Check the value, or pass --force to store it anyway.",
        )
    if spec.validate is not None:
        from ..http import make_session
        from ..kit.http_errors import classify_exception
        from ..pipeline.runner import call_bounded

        timeout = app.config.fetch.timeout
        session = make_session(timeout)
        validate = spec.validate
        try:
            # In a thread that can be abandoned: name resolution has no time bound.
            reason = call_bounded(lambda: validate(session, value), timeout + 0.5, None, "auth")
        except VibeusageError:
            raise
        except TimeoutError:
            raise VibeusageError(
                f"{provider.name} did not answer the key check within {timeout:g} s",
                ErrorCategory.NETWORK,
                remediation="Retry later, or raise `[fetch] timeout` in the configuration.",
                cause="timeout",
            ) from None
        except Exception as exc:  # the exchange failed: say why, not "copy a fresh key"
            raise classify_exception(exc, provider.name) from exc
        if reason is not None:
            raise VibeusageError(
                f"The {provider.name} credential was not stored: {reason}",
                ErrorCategory.AUTHENTICATION,
                remediation=f"Copy a fresh {spec.label} and try again.",
            )
    path = keys.store_key(app, provider, spec, value)
    message = stored_message(provider.name, mask_secret(value), str(path))
    _report(app, args, provider, True, spec.label, message)
    return 0


def _delete(app: App, args: argparse.Namespace, provider: Provider) -> int:
    from ..service import keys
    from ..views.auth import deleted_message

    deleted = keys.disconnect(app, provider)
    _report(
        app, args, provider, False, None, deleted_message(provider.name, deleted), deleted=deleted
    )
    return 0


def _login_io(app: App) -> LoginIO:
    from ..providers.base import LoginIO

    terminal = app.terminal

    def open_url(url: str) -> bool:
        desktop = app.environ.get("DISPLAY") or app.environ.get("WAYLAND_DISPLAY")
        if not terminal.stdin_tty or not (desktop or sys.platform in ("darwin", "win32")):
            return False
        import webbrowser

        try:
            return bool(webbrowser.open(url))
        except Exception:  # no browser is not an error: the URL was printed
            return False

    return LoginIO(notify=terminal.say, open_url=open_url, interactive=terminal.stdin_tty)


def _report(
    app: App,
    args: argparse.Namespace,
    provider: Provider,
    connected: bool,
    source: Optional[str],
    message: str,
    **extra: Any,
) -> None:
    if args.json:
        from ..views.auth import result_document

        app.emit_json(result_document(provider.id, connected, source, **extra))
    else:
        app.result(message)
