"""Cloud Monitoring ``projects.timeSeries.list`` for Vertex AI's quota metrics, every page.

One metric type per filter, so two listings: usage (``quota/rate/net_usage``, per-minute
deltas over 24 h) and then limits (``quota/limit``, one aligned value per day), each
followed through ``nextPageToken`` before the next begins. A rejected token is renewed
once; Google's error bodies become advice naming the project and what to enable or grant.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Dict, List, Optional

from ...errors import ErrorCategory, VibeusageError
from ...kit.google_errors import GoogleApiError, read_google_error
from ...kit.http import decoding
from ..base import FetchContext
from .project import Projects
from .usage import LIMIT_METRIC, NAME, USAGE_METRIC, page_series

TIME_SERIES_URL = "https://monitoring.googleapis.com/v3/projects/{project}/timeSeries"
SERVICE = "aiplatform.googleapis.com"
MAX_PAGES = 50
WHAT = "Cloud Monitoring quota data"
#: gcloud's own OAuth client project: calls billed there mean "no quota project was set".
GCLOUD_CLIENT_PROJECT = "projects/764086051850"


@dataclass(frozen=True)
class Query:
    metric: str
    alignment: str
    aligner: str


USAGE_QUERY = Query(USAGE_METRIC, "60s", "ALIGN_DELTA")
LIMIT_QUERY = Query(LIMIT_METRIC, "86400s", "ALIGN_NEXT_OLDER")


@dataclass
class Listing:
    series: List[Any] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)


class TokenSource:
    """Gives the bearer token; ``renew`` a fresher one after a 401 (None: there is none)."""

    def token(self) -> str:
        raise NotImplementedError

    def renew(self) -> Optional[str]:
        return None

    def rejected_hint(self) -> str:
        """What to do when Google rejects this source's token."""
        raise NotImplementedError


def series_filter(metric: str) -> str:
    return (
        f'metric.type="{metric}" AND resource.type="consumer_quota" '
        f'AND resource.label.service="{SERVICE}"'
    )


def rfc3339(moment: datetime) -> str:
    """UTC, whole seconds, ``Z`` (what Monitoring's interval parameters expect)."""
    from datetime import timezone

    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def query_params(query: Query, now: datetime) -> Dict[str, str]:
    return {
        "filter": series_filter(query.metric),
        "interval.startTime": rfc3339(now - timedelta(hours=24)),
        "interval.endTime": rfc3339(now),
        "aggregation.alignmentPeriod": query.alignment,
        "aggregation.perSeriesAligner": query.aligner,
        "view": "FULL",
    }


def time_series_url(project: str) -> str:
    from urllib.parse import quote

    return TIME_SERIES_URL.format(project=quote(project, safe=":"))


class Monitoring:
    """The two listings for one project, with one bearer token renewed at most once."""

    def __init__(self, ctx: FetchContext, projects: Projects, tokens: TokenSource) -> None:
        self.ctx = ctx
        self.projects = projects
        self.tokens = tokens
        self.renewed = False
        self._token: Optional[str] = None

    def listing(self, query: Query, now: datetime) -> Listing:
        """Every page of one query, in order (at most MAX_PAGES, then a note)."""
        params = query_params(query, now)
        listing = Listing()
        for _ in range(MAX_PAGES):
            payload = self._page(params)
            with decoding(NAME, WHAT):
                series, token = page_series(payload)
            listing.series.extend(series)
            if token is None:
                return listing
            params = dict(params, pageToken=token)
        kind = "usage" if query is USAGE_QUERY else "limit"
        listing.notes.append(
            f"Cloud Monitoring sent more than {MAX_PAGES} pages of quota {kind} data; "
            "the rest was not read"
        )
        return listing

    def _page(self, params: Dict[str, str]) -> Any:
        response = self._get(params)
        if response.status_code == 401 and not self.renewed:
            self.renewed = True
            fresh = self.tokens.renew()
            if fresh is not None:
                self._token = fresh
                response = self._get(params)
        if response.status_code != 200:
            raise monitoring_error(
                response.status_code,
                read_google_error(response),
                self.projects,
                self.tokens.rejected_hint(),
                lambda: self.ctx.http.error(response),
            )
        return self.ctx.http.json(response, WHAT)

    def _get(self, params: Dict[str, str]) -> Any:
        if self._token is None:
            self._token = self.tokens.token()
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        if self.projects.quota:
            headers["x-goog-user-project"] = self.projects.quota
        return self.ctx.http.get(
            time_series_url(self.projects.target),
            what=WHAT,
            params=params,
            headers=headers,
            accept=(400, 401, 403, 404),
        )


def monitoring_error(
    status: int,
    google: GoogleApiError,
    projects: Projects,
    rejected_hint: str,
    fallback: Callable[[], VibeusageError],
) -> VibeusageError:
    """A refused listing explained: which project, and what to enable, grant or fix."""
    project = projects.target
    said = google.short_message()
    if status == 401:
        return VibeusageError(
            "Google rejected the access token for Cloud Monitoring (HTTP 401)",
            ErrorCategory.AUTHENTICATION,
            remediation=rejected_hint,
            status_code=status,
        )
    if status == 403 and "SERVICE_DISABLED" in google.reasons:
        return _service_disabled(google, projects)
    if status == 403 and "USER_PROJECT_DENIED" in google.reasons:
        return VibeusageError(
            f"This login may not bill its calls to the quota project {projects.quota} "
            "(USER_PROJECT_DENIED)",
            ErrorCategory.AUTHORIZATION,
            remediation=(
                "Grant roles/serviceusage.serviceUsageConsumer on that project, or set "
                '`[providers.vertexai] quota_project = "PROJECT_ID"` to one you may use.'
            ),
            status_code=status,
        )
    if status == 403:
        return VibeusageError(
            f"Cloud Monitoring denied reading the quotas of project {project} (HTTP 403)",
            ErrorCategory.AUTHORIZATION,
            remediation=(
                "Grant roles/monitoring.viewer (permission monitoring.timeSeries.list) "
                f"on project {project}."
            ),
            status_code=status,
        )
    if status == 404:
        return VibeusageError(
            f"Cloud Monitoring does not know project {project} (HTTP 404)",
            ErrorCategory.NOT_FOUND,
            remediation="Check the project id (`[providers.vertexai] project`).",
            status_code=status,
        )
    if status == 400 and said:
        return VibeusageError(
            f"Cloud Monitoring refused the request for project {project} (HTTP 400): {said}",
            ErrorCategory.PROVIDER,
            remediation="Check the project id (`[providers.vertexai] project`).",
            status_code=status,
        )
    return fallback()


def _service_disabled(google: GoogleApiError, projects: Projects) -> VibeusageError:
    consumer = google.metadata.get("consumer") or f"projects/{projects.target}"
    service = google.metadata.get("service") or "monitoring.googleapis.com"
    gcloud_client = consumer == GCLOUD_CLIENT_PROJECT
    needs_quota_project = gcloud_client or "quota project" in (google.message or "").lower()
    where = projects.target if gcloud_client else consumer.split("/", 1)[-1]
    remediation = f"Enable the API: `gcloud services enable {service} --project {where}`."
    message = f"{service} is not enabled for {consumer} (SERVICE_DISABLED)"
    if needs_quota_project:
        remediation += (
            " Then bill the calls to your project: "
            f"`gcloud auth application-default set-quota-project {projects.target}`."
        )
    if gcloud_client:
        message = (
            f"{service} was called without a quota project, so on gcloud's own project "
            f"{consumer}, where it is not enabled (SERVICE_DISABLED)"
        )
    return VibeusageError(
        message,
        ErrorCategory.AUTHORIZATION,
        remediation=remediation,
        status_code=403,
    )
