"""``vibeusage key [PROVIDER [set [VALUE] | delete]]``: the credentials vibeusage keeps itself."""

from __future__ import annotations

import argparse

from .app import App, add_output_options, new_parser

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs start-up time
if TYPE_CHECKING:
    from ..providers.manifest import Provider, SecretSpec


def build_parser(app: App) -> argparse.ArgumentParser:
    parser = new_parser(
        app.terminal,
        prog="vibeusage key",
        description=(
            "Show, store or delete the credentials vibeusage keeps itself (never another "
            "tool's). Without a provider: what is stored for each."
        ),
        epilog=(
            "The value of `set` comes from the argument, else from standard input when it is "
            "piped, else from a hidden prompt. Stored files are private (0600)."
        ),
    )
    parser.add_argument("provider", nargs="?", help="provider id")
    parser.add_argument("action", nargs="?", choices=("show", "set", "delete"), default="show")
    parser.add_argument("value", nargs="?", help="the secret for `set` (prefer stdin or prompt)")
    parser.add_argument(
        "-f", "--force", action="store_true", help="store a value that fails the format check"
    )
    add_output_options(parser)
    return parser


def run(app: App, args: argparse.Namespace) -> int:
    from ..errors import ConfigError

    if args.provider is None:
        if args.action != "show" or args.value:
            raise ConfigError("name the provider: `vibeusage key PROVIDER set`")
        return _status(app, args)
    provider = app.provider(args.provider)
    spec = provider.secret
    if spec is None:
        raise ConfigError(
            f"vibeusage keeps no credential for {provider.name}",
            remediation=f"{provider.setup_hint}",
        )
    if args.action == "set":
        return _set(app, args, provider, spec)
    if args.action == "delete":
        return _delete(app, args, provider, spec)
    return _show(app, args, provider, spec)


def _status(app: App, args: argparse.Namespace) -> int:
    from ..service import keys

    entries = keys.key_entries(app)
    if args.json:
        app.emit_json(entries)
        return 0
    from ..views.keys import keys_table

    app.emit(keys_table(entries, app.width()))
    return 0


def _show(app: App, args: argparse.Namespace, provider: Provider, spec: SecretSpec) -> int:
    from ..service import keys

    entry = keys.key_entry(app, provider, spec)
    if args.json:
        app.emit_json(entry)
        return 0
    from ..views.keys import key_text

    app.emit(key_text(provider.id, provider.name, entry))
    return 0


def _set(app: App, args: argparse.Namespace, provider: Provider, spec: SecretSpec) -> int:
    from ..errors import mask_secret
    from ..service import keys
    from .secrets import read_secret_value

    value = read_secret_value(app, args.value, f"{provider.name} {spec.label}: ")
    problem = spec.check(value)
    if problem and not args.force:
        _confirm_odd_value(app, provider, problem)
    from ..views.keys import stored_document, stored_message

    path = keys.store_key(app, provider, spec, value)
    if args.json:
        app.emit_json(stored_document(mask_secret(value), str(path)))
    else:
        app.result(stored_message(provider.name, mask_secret(value), str(path)))
    return 0


def _confirm_odd_value(app: App, provider: Provider, problem: str) -> None:
    """Ask before storing a value that fails the format check; refuse when nobody can answer."""
    from ..errors import ErrorCategory, VibeusageError

    message = f"This does not look like a {provider.name} credential: {problem}."
    if not app.terminal.stdin_tty:
        raise VibeusageError(
            message,
            ErrorCategory.CONFIGURATION,
            remediation="Check the value, or pass --force to store it anyway.",
        )
    app.terminal.say(message)
    app.terminal.stderr.write("Store it anyway? [y/N] ")
    app.terminal.stderr.flush()
    answer = app.terminal.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        raise VibeusageError(
            "Nothing stored",
            ErrorCategory.CONFIGURATION,
            remediation="Run the command again with the right value, or with --force.",
        )


def _delete(app: App, args: argparse.Namespace, provider: Provider, spec: SecretSpec) -> int:
    from ..service import keys
    from ..views.keys import deleted_document, deleted_message

    deleted = keys.delete_key(app, provider, spec)
    if args.json:
        app.emit_json(deleted_document(deleted, str(keys.key_path(app, provider, spec))))
    else:
        app.result(deleted_message(provider.name, deleted))
    return 0
