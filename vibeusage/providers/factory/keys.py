"""Factory API keys: where they come from (in order), their format check and a one-call proof.

Sources, first non-blank wins: ``FACTORY_API_KEY`` (the variable droid reads), the key stored
with ``vibeusage key factory set``, then ``~/.factory/.env`` (read only; ``FACTORY_API_KEY=…``
or ``export FACTORY_API_KEY=…``, ``#`` lines skipped). Whitespace and one pair of quotes are
stripped from every source.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from ...credentials import CredentialStore
from ...errors import ErrorCategory, VibeusageError
from ...kit.values import MaskedRepr
from ..base import FetchContext

ENV_VAR = "FACTORY_API_KEY"
SECRET_NAME = "api_key"
KEYS_URL = "https://app.factory.ai/settings/api-keys"
KEY_PREFIX = "fk-"
MIN_KEY_LENGTH = 23
_DOTENV_LINE = re.compile(r"^\s*(?:export\s+)?FACTORY_API_KEY\s*=\s*(.*?)\s*$")
#: The most of ``~/.factory/.env`` that is read (it holds a line or two).
MAX_DOTENV_BYTES = 64 * 1024


@dataclass(frozen=True, repr=False)
class ApiKey(MaskedRepr):
    """A Factory API key and where it was found (for messages; never the key itself)."""

    value: str
    #: ``FACTORY_API_KEY``, ``the stored key`` or ``~/.factory/.env``.
    source: str

    SECRET_FIELDS = ("value",)


def clean(value: str) -> str:
    """A key as given: whitespace and one pair of matching quotes removed."""
    text = value.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip()
    return text


def dotenv_path(ctx: FetchContext) -> Path:
    return ctx.home / ".factory" / ".env"


def read_dotenv(path: Path) -> Optional[str]:
    """The first non-blank ``FACTORY_API_KEY`` of a ``.env`` file; None when there is none."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_DOTENV_BYTES)
    except OSError:
        return None
    for line in raw.decode("utf-8", "replace").splitlines():
        if line.lstrip().startswith("#"):
            continue
        match = _DOTENV_LINE.match(line)
        if match:
            value = clean(match.group(1))
            if value:
                return value
    return None


def find_key(ctx: FetchContext) -> Optional[ApiKey]:
    """The first API key found, in the documented order, or None.

    A stored key file that cannot be read raises (it names the file, never the value).
    """
    value = clean(ctx.environ.get(ENV_VAR, ""))
    if value:
        return ApiKey(value, ENV_VAR)
    stored = CredentialStore(ctx.paths).read("factory", SECRET_NAME)
    if stored is not None and clean(stored.value):
        return ApiKey(clean(stored.value), "the stored key")
    value = read_dotenv(dotenv_path(ctx)) or ""
    if value:
        return ApiKey(value, "~/.factory/.env")
    return None


def has_key(ctx: FetchContext) -> bool:
    """Whether a key source has a value (local only)."""
    if clean(ctx.environ.get(ENV_VAR, "")):
        return True
    if CredentialStore(ctx.paths).path("factory", SECRET_NAME).exists():
        return True
    return read_dotenv(dotenv_path(ctx)) is not None


def key_problem(value: str) -> Optional[str]:
    """Why ``value`` does not look like a Factory API key, or None when it does."""
    text = clean(value)
    if text.lower().startswith("bearer "):
        return "paste only the key, without `Bearer `"
    if not text.startswith(KEY_PREFIX):
        return f"a Factory API key starts with `{KEY_PREFIX}` (create one at {KEYS_URL})"
    if any(c.isspace() for c in text) or len(text) < MIN_KEY_LENGTH:
        return "the key looks truncated or contains spaces"
    return None


def validate_key(session: Any, value: str) -> Optional[str]:
    """One whoami call proving the key works: None when Factory accepts it, else why not."""
    from ...kit.http import Http
    from .api import REJECTED_STATUSES, WHOAMI_URL, headers

    http = Http(session, "Factory")
    try:
        response = http.get(
            WHOAMI_URL,
            what="the key's account",
            headers={**headers(clean(value), None), "X-Factory-Whoami-Extended": "true"},
            accept=REJECTED_STATUSES,
        )
    except VibeusageError as exc:
        if exc.category is ErrorCategory.NETWORK:
            raise  # unreachable is not the key's fault: a network error naming host and cause
        return f"could not check the key with Factory ({exc.message})"
    if response.status_code in REJECTED_STATUSES:
        return f"Factory rejected this key (HTTP {response.status_code})"
    return None
