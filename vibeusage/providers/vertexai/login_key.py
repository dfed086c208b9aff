"""Which Google Cloud login a Vertex AI snapshot belongs to: the ADC account and the projects.

A user login is named by its account (else its OAuth client and refresh token, hashed), a
service account by its email; the quotas shown are the target project's, so the projects
are part of the key.
"""

from typing import Any, Optional

from ...errors import VibeusageError
from ...kit.login_key import file_digest, json_file, login_key, secret_identity
from ..base import FetchContext
from .credentials import AuthorizedUser, ServiceAccount, adc_path, parse_adc
from .project import QUOTA_PROJECT_ENV, target_project


def vertex_login_key(ctx: FetchContext) -> Optional[str]:
    """The ADC file's account, for the target and quota projects."""
    path = adc_path(ctx)
    adc: Any = None
    try:
        adc = parse_adc(json_file(path), path)
    except VibeusageError:
        adc = None
    identity: Optional[str]
    if isinstance(adc, AuthorizedUser):
        identity = (
            f"user:{adc.account}"
            if adc.account
            else f"client:{adc.client_id}/{secret_identity(adc.refresh_token)}"
        )
    elif isinstance(adc, ServiceAccount):
        identity = f"service:{adc.client_email}"
    else:
        identity = file_digest(path)
    try:
        project = target_project(ctx, adc)
    except VibeusageError:
        project = None
    quota = ctx.config.options.get("quota_project") or ctx.environ.get(QUOTA_PROJECT_ENV)
    return login_key(
        [identity], where=[str(path), project, str(quota) if quota is not None else None]
    )
