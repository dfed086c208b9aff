"""Error taxonomy, the classifier that turns failures into it, and the exit-code mapping."""

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any, Dict, Iterable, Optional, Tuple

if TYPE_CHECKING:
    from re import Pattern

from .timeparse import parse_iso, utcnow


class ExitCode(enum.IntEnum):
    """Process exit codes (DESIGN.md §8)."""

    OK = 0
    ERROR = 1
    AUTH = 2
    NETWORK = 3
    INVALID_INPUT = 4
    PARTIAL = 5
    INTERRUPTED = 130
    TERMINATED = 143


class ErrorCategory(str, enum.Enum):
    AUTHENTICATION = "authentication"
    AUTHORIZATION = "authorization"
    RATE_LIMITED = "rate_limited"
    NETWORK = "network"
    PROVIDER = "provider"
    PARSE = "parse"
    CONFIGURATION = "configuration"
    NOT_FOUND = "not_found"
    UNKNOWN = "unknown"

    @property
    def exit_code(self) -> ExitCode:
        return _EXIT_CODES.get(self, ExitCode.ERROR)


_EXIT_CODES = {
    ErrorCategory.AUTHENTICATION: ExitCode.AUTH,
    ErrorCategory.AUTHORIZATION: ExitCode.AUTH,
    ErrorCategory.RATE_LIMITED: ExitCode.NETWORK,
    ErrorCategory.NETWORK: ExitCode.NETWORK,
    ErrorCategory.CONFIGURATION: ExitCode.INVALID_INPUT,
}


class Severity(str, enum.Enum):
    FATAL = "fatal"
    RECOVERABLE = "recoverable"
    TRANSIENT = "transient"
    WARNING = "warning"


#: What a user can do about each category when the strategy has nothing more precise.
REMEDIATIONS = {
    ErrorCategory.AUTHENTICATION: "Log in again with the provider's own tool, then retry.",
    ErrorCategory.AUTHORIZATION: "This account or token may not have access to usage data.",
    ErrorCategory.RATE_LIMITED: "The provider is rate limiting usage reads; wait and retry.",
    ErrorCategory.NETWORK: (
        "Check the network connection; behind a proxy set HTTPS_PROXY "
        "(and REQUESTS_CA_BUNDLE for a private CA)."
    ),
    ErrorCategory.PROVIDER: "The provider's service had a problem; retry later.",
    ErrorCategory.PARSE: (
        "The provider answered in an unexpected format; retry later, and report it "
        "with `--debug` output if it persists."
    ),
    ErrorCategory.CONFIGURATION: "Fix the configuration file or the command line.",
    ErrorCategory.NOT_FOUND: "The requested resource does not exist.",
    ErrorCategory.UNKNOWN: "Retry with `--debug` to see what went wrong.",
}

_SEVERITIES = {
    ErrorCategory.RATE_LIMITED: Severity.TRANSIENT,
    ErrorCategory.NETWORK: Severity.TRANSIENT,
    ErrorCategory.PROVIDER: Severity.TRANSIENT,
    ErrorCategory.CONFIGURATION: Severity.FATAL,
}


class VibeusageError(Exception):
    """A failure explained for a user: message, category, severity and what to do."""

    def __init__(
        self,
        message: str,
        category: ErrorCategory = ErrorCategory.UNKNOWN,
        *,
        severity: Optional[Severity] = None,
        remediation: Optional[str] = None,
        provider: Optional[str] = None,
        retry_after: Optional[float] = None,
        status_code: Optional[int] = None,
        timestamp: Optional[datetime] = None,
        cause: Optional[str] = None,
    ) -> None:
        # Messages quote providers' own words: no control character may reach a terminal.
        self.message = redact(_one_line(message))
        self.category = category
        self.severity = severity or _SEVERITIES.get(category, Severity.RECOVERABLE)
        self.remediation = redact(_one_line(remediation)) if remediation else REMEDIATIONS[category]
        self.provider = provider
        self.retry_after = retry_after
        self.status_code = status_code
        #: Why a network exchange failed: "dns", "refused", "proxy", "tls" or "timeout".
        self.cause = cause
        self.timestamp = timestamp or utcnow()
        super().__init__(self.message)

    @property
    def exit_code(self) -> ExitCode:
        return self.category.exit_code

    def for_provider(self, provider: str) -> "VibeusageError":
        """Tag the error with the provider it belongs to (in place) and return it."""
        if self.provider is None:
            self.provider = provider
        return self

    def to_dict(self) -> Dict[str, Any]:
        """The ERROR object of the JSON contract."""
        return {
            "message": self.message,
            "category": self.category.value,
            "severity": self.severity.value,
            "provider": self.provider,
            "remediation": self.remediation,
            "timestamp": self.timestamp.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "VibeusageError":
        try:
            category = ErrorCategory(data.get("category"))
        except ValueError:
            category = ErrorCategory.UNKNOWN
        try:
            severity: Optional[Severity] = Severity(data.get("severity"))
        except ValueError:
            severity = None
        return cls(
            str(data.get("message") or "unknown error"),
            category,
            severity=severity,
            remediation=data.get("remediation") or None,
            provider=data.get("provider") or None,
            timestamp=parse_iso(data.get("timestamp")),
        )


def _one_line(text: str) -> str:
    from .models import printable

    return printable(text)


class ConfigError(VibeusageError):
    """An invalid configuration file, environment value or argument (exit code 4)."""

    def __init__(self, message: str, remediation: Optional[str] = None) -> None:
        super().__init__(message, ErrorCategory.CONFIGURATION, remediation=remediation)


# --- secrets ---------------------------------------------------------------------------

#: Secrets of no one provider: JWTs (the providers' tokens add their own patterns, from
#: their manifests' ``token_patterns``).
GENERIC_TOKEN_PATTERNS = (r"eyJ[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*",)
#: A credential that follows a keyword; the keyword stays, the value goes.
HEADER_PATTERN = r"(?i)\b(bearer\s+|authorization:\s*token\s+|sessionKey=)[A-Za-z0-9._~+/=\-]{8,}"

_compiled: "Optional[Tuple[Pattern[str], Pattern[str]]]" = None


def _patterns() -> "Tuple[Pattern[str], Pattern[str]]":
    """Whole tokens and keyword-led credentials, compiled on first use (not at start-up).

    The registry is static data (the providers' manifests), so reading their patterns here
    loads no provider code.
    """
    global _compiled
    if _compiled is None:
        import re

        from .providers import all_providers

        sources = [*GENERIC_TOKEN_PATTERNS]
        sources += [pattern for provider in all_providers() for pattern in provider.token_patterns]
        alternatives = "|".join(f"(?:{source})" for source in dict.fromkeys(sources))
        tokens = re.compile(rf"(?<![A-Za-z0-9_\-])(?:{alternatives})")
        _compiled = (tokens, re.compile(HEADER_PATTERN))
    return _compiled


def mask_secret(secret: str) -> str:
    """A recognisable but useless form of a secret: ``sk-ant-…4f2a``."""
    if len(secret) <= 12:
        return "…"
    if secret.startswith("sk-"):
        prefix = secret[: secret.find("-", 3) + 1] or "sk-"
    elif secret.startswith("github_pat_"):
        prefix = "github_pat_"
    elif secret.startswith(("ya29.", "1//", "GOCSPX-")):
        prefix = secret[: secret.index(".") + 1 if secret.startswith("ya29.") else 3]
    else:
        prefix = secret[:4]
    return f"{prefix[:12]}…{secret[-4:]}"


#: Every secret value this process has read (tokens, keys, cookies): masked wherever it
#: appears, whatever its shape, so a token format no pattern knows is still never shown.
_KNOWN_SECRETS: "set[str]" = set()


def remember_secret(value: Optional[str]) -> None:
    """Register a secret value with the redactor (and its escaped form, as reprs show it)."""
    if not isinstance(value, str) or len(value) < 8:
        return
    _KNOWN_SECRETS.add(value)
    escaped = repr(value)[1:-1]
    if escaped != value:
        _KNOWN_SECRETS.add(escaped)
    for line in value.splitlines():
        if len(line) >= 8:
            _KNOWN_SECRETS.add(line)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove anything that looks like a credential from text meant for a user."""
    known = sorted({*_KNOWN_SECRETS, *secrets}, key=len, reverse=True)
    for secret in known:
        if secret and len(secret) >= 8 and secret in text:
            text = text.replace(secret, mask_secret(secret))
    tokens, header = _patterns()
    text = tokens.sub(lambda m: mask_secret(m.group(0)), text)
    return header.sub(lambda m: f"{m.group(1)}…", text)


def parse_error(provider_name: str, detail: str) -> VibeusageError:
    """A parse error with a short, secret-free detail."""
    return VibeusageError(
        f"{provider_name} sent an unexpected response: {detail}", ErrorCategory.PARSE
    )
