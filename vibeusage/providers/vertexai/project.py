"""Which Google Cloud project's quotas to read, and which project the calls are billed to.

Target project, first hit wins: ``[providers.vertexai] project``; ``GOOGLE_CLOUD_PROJECT``,
``GCLOUD_PROJECT``, ``CLOUDSDK_CORE_PROJECT``; gcloud's active configuration (``[core]
project``); a service account's ``project_id``; the ADC ``quota_project_id``.

Quota project (``x-goog-user-project``): ``quota_project`` in the config, else
``GOOGLE_CLOUD_QUOTA_PROJECT``, else the ADC ``quota_project_id``, else (user logins only)
the target project. Without one, a user login's calls are billed to gcloud's own client
project, where Monitoring is disabled; a service account's own project is its quota project.
"""

from dataclasses import dataclass
from typing import Any, Optional

from ...errors import ErrorCategory, VibeusageError
from ...kit.values import opt_str
from ..base import FetchContext
from .credentials import Adc, ServiceAccount
from .gcloud_config import core_properties

PROJECT_ENV = ("GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT", "CLOUDSDK_CORE_PROJECT")
QUOTA_PROJECT_ENV = "GOOGLE_CLOUD_QUOTA_PROJECT"
NO_PROJECT_HINT = (
    'Set `[providers.vertexai] project = "PROJECT_ID"`, GOOGLE_CLOUD_PROJECT, or run '
    "`gcloud config set project PROJECT_ID`."
)


@dataclass(frozen=True)
class Projects:
    """The project whose quotas are read and the one named in ``x-goog-user-project``."""

    target: str
    quota: Optional[str]


def resolve_projects(ctx: FetchContext, adc: Optional[Adc]) -> Projects:
    """Both projects in the documented order; no target project is a configuration error."""
    target = target_project(ctx, adc)
    if target is None:
        raise VibeusageError(
            "No Google Cloud project for Vertex AI",
            ErrorCategory.CONFIGURATION,
            remediation=NO_PROJECT_HINT,
        )
    quota = (
        _option(ctx, "quota_project")
        or opt_str(ctx.environ.get(QUOTA_PROJECT_ENV))
        or (adc.quota_project_id if adc is not None else None)
    )
    if quota is None and not isinstance(adc, ServiceAccount):
        quota = target
    return Projects(target, quota)


def target_project(ctx: FetchContext, adc: Optional[Adc]) -> Optional[str]:
    """The first project named by the config, the environment, gcloud or the ADC file."""
    found = _option(ctx, "project")
    for name in PROJECT_ENV:
        found = found or opt_str(ctx.environ.get(name))
    found = found or core_properties(ctx).get("project")
    if found is None and isinstance(adc, ServiceAccount):
        found = adc.project_id
    if found is None and adc is not None:
        found = adc.quota_project_id
    return found


def _option(ctx: FetchContext, key: str) -> Optional[str]:
    value: Any = ctx.config.options.get(key)
    return opt_str(value)
