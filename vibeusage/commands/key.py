"""``vibeusage key [PROVIDER [set [VALUE] | delete]]``: the credentials vibeusage keeps itself."""

import argparse
from typing import Any, Dict, List

from ..cache import clear_provider_cache
from ..credentials import CredentialStore
from ..errors import ConfigError, ErrorCategory, VibeusageError, mask_secret
from ..providers.base import Provider, SecretSpec
from .app import App, add_output_options, new_parser
from .secrets import read_secret_value


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
    store = CredentialStore(app.paths)
    if args.provider is None:
        if args.action != "show" or args.value:
            raise ConfigError("name the provider: `vibeusage key PROVIDER set`")
        return _status(app, args, store)
    provider = app.provider(args.provider)
    spec = provider.secret
    if spec is None:
        raise ConfigError(
            f"vibeusage keeps no credential for {provider.name}",
            remediation=f"{provider.setup_hint}",
        )
    if args.action == "set":
        return _set(app, args, store, provider, spec)
    if args.action == "delete":
        return _delete(app, args, store, provider, spec)
    return _show(app, args, store, provider, spec)


def _entry(store: CredentialStore, provider: Provider, spec: SecretSpec) -> Dict[str, Any]:
    stored = store.read(provider.id, spec.name)
    return {
        "stored": stored is not None,
        "masked": mask_secret(stored.value) if stored else None,
        "path": str(store.path(provider.id, spec.name)),
        "created_at": stored.created_at.isoformat() if stored and stored.created_at else None,
        "what": spec.label,
    }


def _status(app: App, args: argparse.Namespace, store: CredentialStore) -> int:
    entries = {
        p.id: _entry(store, p, p.secret) for p in app.registry.values() if p.secret is not None
    }
    if args.json:
        app.emit_json(entries)
        return 0
    from tabulate import tabulate

    rows: List[List[str]] = []
    for pid, entry in entries.items():
        rows.append([pid, entry["masked"] or "-", entry["created_at"] or "", entry["what"]])
    app.emit(tabulate(rows, headers=["provider", "stored", "since", "what"]) + "\n")
    return 0


def _show(
    app: App, args: argparse.Namespace, store: CredentialStore, provider: Provider, spec: SecretSpec
) -> int:
    entry = _entry(store, provider, spec)
    if args.json:
        app.emit_json(entry)
    elif entry["stored"]:
        app.emit(f"{provider.name}: {entry['masked']}\n  file: {entry['path']}\n")
    else:
        app.emit(
            f"{provider.name}: nothing stored\n  store it with `vibeusage key {provider.id} set`"
            f" ({spec.label})\n"
        )
    return 0


def _set(
    app: App, args: argparse.Namespace, store: CredentialStore, provider: Provider, spec: SecretSpec
) -> int:
    value = read_secret_value(app, args.value, f"{provider.name} {spec.label}: ")
    problem = spec.check(value)
    if problem and not args.force:
        _confirm_odd_value(app, provider, problem)
    path = store.write(provider.id, spec.name, value)
    clear_provider_cache(app.paths.cache_dir, provider.id)
    if args.json:
        app.emit_json({"stored": True, "masked": mask_secret(value), "path": str(path)})
    else:
        app.terminal.say(f"Stored {provider.name} credential {mask_secret(value)} in {path}")
    return 0


def _confirm_odd_value(app: App, provider: Provider, problem: str) -> None:
    """Ask before storing a value that fails the format check; refuse when nobody can answer."""
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


def _delete(
    app: App, args: argparse.Namespace, store: CredentialStore, provider: Provider, spec: SecretSpec
) -> int:
    deleted = store.delete(provider.id, spec.name)
    if deleted:
        clear_provider_cache(app.paths.cache_dir, provider.id)
    if args.json:
        app.emit_json({"deleted": deleted, "path": str(store.path(provider.id, spec.name))})
    else:
        app.terminal.say(
            f"Deleted the stored {provider.name} credential."
            if deleted
            else f"No {provider.name} credential was stored."
        )
    return 0
