"""Application Default Credentials: where the file is (google-auth's order) and what it holds.

``GOOGLE_APPLICATION_CREDENTIALS`` when set (and then only that file, as google-auth does),
else gcloud's ``application_default_credentials.json`` in ``$CLOUDSDK_CONFIG`` or the
platform's gcloud folder. The file is only ever read.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Union

from ...errors import ErrorCategory, VibeusageError
from ...kit.files import expand_home, read_tool_json
from ...kit.values import MaskedRepr, opt_str
from ..base import FetchContext

ADC_FILE = "application_default_credentials.json"
LOGIN_HINT = "Run `gcloud auth application-default login`, then retry."
SETUP_HINT = (
    "Run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS "
    "to a service-account key."
)
DEFAULT_UNIVERSE = "googleapis.com"


@dataclass(frozen=True, repr=False)
class AuthorizedUser(MaskedRepr):
    """``"type": "authorized_user"`` (``gcloud auth application-default login``)."""

    client_id: str
    client_secret: str
    refresh_token: str
    quota_project_id: Optional[str] = None
    account: Optional[str] = None

    SECRET_FIELDS = ("client_secret", "refresh_token")


@dataclass(frozen=True, repr=False)
class ServiceAccount(MaskedRepr):
    """``"type": "service_account"`` (a downloaded key)."""

    client_email: str
    private_key: str
    private_key_id: Optional[str]
    token_uri: str
    project_id: Optional[str] = None
    quota_project_id: Optional[str] = None
    universe_domain: str = DEFAULT_UNIVERSE

    SECRET_FIELDS = ("private_key",)

    def new_key_hint(self) -> str:
        return (
            f"Create a new key for {self.client_email} or point "
            "GOOGLE_APPLICATION_CREDENTIALS at a valid one."
        )


@dataclass(frozen=True)
class OtherCredentials:
    """Any other ADC type (external_account, impersonated_service_account, ...)."""

    type: str
    project_id: Optional[str] = None
    quota_project_id: Optional[str] = None


Adc = Union[AuthorizedUser, ServiceAccount, OtherCredentials]


def gcloud_dir(ctx: FetchContext) -> Path:
    """``$CLOUDSDK_CONFIG``, else ``~/.config/gcloud`` (Windows ``%APPDATA%\\gcloud``)."""
    value = (ctx.environ.get("CLOUDSDK_CONFIG") or "").strip()
    if value:
        return expand_home(value, ctx.home)
    if ctx.platform.startswith("win"):
        appdata = (ctx.environ.get("APPDATA") or "").strip()
        return (Path(appdata) if appdata else ctx.home / "AppData" / "Roaming") / "gcloud"
    return ctx.home / ".config" / "gcloud"


def explicit_path(ctx: FetchContext) -> Optional[Path]:
    """``GOOGLE_APPLICATION_CREDENTIALS`` as a path (``~`` expanded); None when unset or blank."""
    value = (ctx.environ.get("GOOGLE_APPLICATION_CREDENTIALS") or "").strip()
    return expand_home(value, ctx.home) if value else None


def adc_path(ctx: FetchContext) -> Path:
    """The one ADC file google-auth would read."""
    return explicit_path(ctx) or gcloud_dir(ctx) / ADC_FILE


def read_adc(path: Path) -> Adc:
    """Read (never write) the ADC file."""
    return parse_adc(read_tool_json(path, "Application Default Credentials", SETUP_HINT), path)


def parse_adc(data: Any, path: Any) -> Adc:
    """The credentials of an ADC document, by its ``type``; a broken one is an auth error."""
    if not isinstance(data, dict):
        raise _broken(f"The ADC file {path} is not a credentials object", SETUP_HINT)
    kind = opt_str(data.get("type"))
    quota_project = opt_str(data.get("quota_project_id"))
    if kind == "authorized_user":
        client_id = opt_str(data.get("client_id"))
        client_secret = opt_str(data.get("client_secret"))
        refresh_token = opt_str(data.get("refresh_token"))
        if client_id is None or client_secret is None or refresh_token is None:
            raise _broken(f"The ADC login in {path} lacks its client or refresh token", LOGIN_HINT)
        return AuthorizedUser(
            client_id, client_secret, refresh_token, quota_project, opt_str(data.get("account"))
        )
    if kind == "service_account":
        email = opt_str(data.get("client_email"))
        private_key = data.get("private_key")
        if email is None or not isinstance(private_key, str) or not private_key.strip():
            raise _broken(
                f"The service-account key in {path} lacks client_email or private_key",
                "Point GOOGLE_APPLICATION_CREDENTIALS at a complete service-account key.",
            )
        return ServiceAccount(
            client_email=email,
            private_key=private_key,
            private_key_id=opt_str(data.get("private_key_id")),
            token_uri=opt_str(data.get("token_uri")) or "https://oauth2.googleapis.com/token",
            project_id=opt_str(data.get("project_id")),
            quota_project_id=quota_project,
            universe_domain=opt_str(data.get("universe_domain")) or DEFAULT_UNIVERSE,
        )
    if kind is None:
        raise _broken(f"The ADC file {path} has no credential type", SETUP_HINT)
    return OtherCredentials(kind, opt_str(data.get("project_id")), quota_project)


def _broken(message: str, remediation: str) -> VibeusageError:
    return VibeusageError(message, ErrorCategory.AUTHENTICATION, remediation=remediation)
