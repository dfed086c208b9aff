"""Shared by the ``test_vertexai_*`` files: the fixtures' values, ADC and gcloud files in the
test home, and a fake Cloud Monitoring that serves the listings page by page and records
every request. Nothing here touches the network, the real home or the real gcloud.
"""

import copy
import hashlib
import json
import os
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple
from urllib.parse import parse_qs, urlsplit

from tests.conftest import Home, load_fixture, make_ctx
from vibeusage.providers.base import FetchContext

UTC = timezone.utc
#: Two minutes after the fixtures' newest point (2026-11-24T18:00:00Z), a Tuesday in PST.
NOW = datetime(2026, 11, 24, 18, 2, tzinfo=UTC)
PROJECT = "example-project"
BILLING_PROJECT = "billing-proj-123"
TS_URL = "https://monitoring.googleapis.com/v3/projects/example-project/timeSeries"
TOKEN_URL = "https://oauth2.googleapis.com/token"
JSON = {"Content-Type": "application/json"}
USAGE_METRIC = "serviceruntime.googleapis.com/quota/rate/net_usage"
LIMIT_METRIC = "serviceruntime.googleapis.com/quota/limit"

USER_ADC = load_fixture("vertexai/adc-authorized-user.json")
SA_ADC = load_fixture("vertexai/adc-service-account.json")
REFRESHED = load_fixture("vertexai/token-refresh.json")["access_token"]
SA_TOKEN = load_fixture("vertexai/token-jwt-bearer.json")["access_token"]
EMAIL = "dev@example.com"
SA_EMAIL = SA_ADC["client_email"]
REFRESH_TOKEN = USER_ADC["refresh_token"]
CLIENT_SECRET = USER_ADC["client_secret"]
PEM_CORE = SA_ADC["private_key"].splitlines()[5]
#: Everything that must never be shown (the access tokens are allowed only in token.json).
SECRETS = (REFRESH_TOKEN, CLIENT_SECRET, PEM_CORE, REFRESHED, SA_TOKEN, "FAKErefresh")

#: The three periods of the paged fixtures at NOW: (name, utilization, type, resets_at).
FIXTURE_PERIODS = [
    ("Generate content requests per minute (us-central1)", 44, "session", None),
    (
        "Online prediction input tokens per minute per base model (us-east5)",
        48,
        "session",
        None,
    ),
    ("Generate content requests per day (us-central1)", 0, "daily", "2026-11-25T08:00:00+00:00"),
]


def usage_pages() -> List[Dict[str, Any]]:
    return [
        load_fixture("vertexai/timeseries-net-usage-page1.json"),
        load_fixture("vertexai/timeseries-net-usage-page2.json"),
    ]


def limit_pages() -> List[Dict[str, Any]]:
    return [load_fixture("vertexai/timeseries-limits.json")]


# --- files in the test home ---------------------------------------------------------------------


def gcloud_dir(home: Home) -> Path:
    return home.root / ".config" / "gcloud"


def default_adc_path(home: Home) -> Path:
    return gcloud_dir(home) / "application_default_credentials.json"


def write_json(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def write_user_adc(home: Home, **overrides: Any) -> Path:
    """gcloud's ADC login (the fixture) in gcloud's default folder."""
    data = dict(USER_ADC)
    data.update(overrides)
    return write_json(default_adc_path(home), {k: v for k, v in data.items() if v is not None})


def write_sa_key(directory: Path, **overrides: Any) -> Path:
    """A service-account key file (the fixture) for GOOGLE_APPLICATION_CREDENTIALS."""
    data = dict(SA_ADC)
    data.update(overrides)
    return write_json(directory / "key.json", {k: v for k, v in data.items() if v is not None})


def write_gcloud_config(
    home: Home, name: str = "default", text: Optional[str] = None, active: Optional[str] = None
) -> Path:
    """``configurations/config_<name>`` (the fixture unless ``text``) and ``active_config``."""
    root = gcloud_dir(home)
    path = root / "configurations" / f"config_{name}"
    path.parent.mkdir(parents=True, exist_ok=True)
    body = text
    if body is None:
        body = (
            Path(__file__).parent.parent / "fixtures/vertexai/gcloud-config_default.ini"
        ).read_text()
    path.write_text(body, encoding="utf-8")
    if active is not None:
        (root / "active_config").write_text(active, encoding="utf-8")
    return path


def token_cache_path(home: Home) -> Path:
    return home.cache_dir / "providers" / "vertexai" / "token.json"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextmanager
def untouched(*paths: Path) -> Iterator[None]:
    """The files keep their bytes and their mtime (nothing is written back)."""
    before = [(digest(p), p.stat().st_mtime_ns) for p in paths]
    yield
    assert [(digest(p), p.stat().st_mtime_ns) for p in paths] == before


def vertex_ctx(home: Home, environ: Optional[Dict[str, str]] = None, **kwargs: Any) -> FetchContext:
    env = dict(os.environ)
    env.update(environ or {})
    kwargs.setdefault("clock", lambda: NOW)
    return make_ctx("vertexai", home.root, env, **kwargs)


# --- the fake Cloud Monitoring ------------------------------------------------------------------


class FakeMonitoring:
    """``timeSeries.list`` for one project: pages served in order, every request recorded.

    ``answers`` queues (status, body) answers given before the pages (errors, 401s).
    """

    def __init__(
        self,
        mocked: Any,
        usage: Optional[List[Dict[str, Any]]] = None,
        limits: Optional[List[Dict[str, Any]]] = None,
        url: str = TS_URL,
    ) -> None:
        self.pages = {
            USAGE_METRIC: self._chain(usage if usage is not None else usage_pages(), "u"),
            LIMIT_METRIC: self._chain(limits if limits is not None else limit_pages(), "l"),
        }
        self.requests: List[Tuple[str, Dict[str, str], Dict[str, str]]] = []
        self.answers: List[Tuple[int, Any]] = []
        #: metric -> ``responses`` keyword arguments answering every request for it instead.
        self.faults: Dict[str, Dict[str, Any]] = {}
        mocked.add_callback("GET", url, callback=self._answer, content_type=None)

    @staticmethod
    def _chain(pages: List[Dict[str, Any]], prefix: str) -> Dict[Optional[str], Dict[str, Any]]:
        """Each page keyed by the token that asks for it (None: the first)."""
        served: Dict[Optional[str], Dict[str, Any]] = {}
        token: Optional[str] = None
        for index, page in enumerate(pages):
            page = copy.deepcopy(page)
            if index + 1 < len(pages):
                page.setdefault("nextPageToken", f"{prefix}-page-{index + 2}")
            else:
                page.pop("nextPageToken", None)
            served[token] = page
            token = page.get("nextPageToken")
        return served

    def _answer(self, request: Any) -> Tuple[int, Dict[str, str], str]:
        query = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
        metric = USAGE_METRIC if USAGE_METRIC in query.get("filter", "") else LIMIT_METRIC
        self.requests.append((metric, query, dict(request.headers)))
        fault = self.faults.get(metric)
        if fault is not None:
            return self._faulted(fault)
        if self.answers:
            status, body = self.answers.pop(0)
            return status, JSON, body if isinstance(body, str) else json.dumps(body)
        page = self.pages[metric].get(query.get("pageToken"))
        if page is None:
            return 400, JSON, json.dumps({"error": {"code": 400, "message": "bad page token"}})
        return 200, JSON, json.dumps(page)

    @staticmethod
    def _faulted(answer: Dict[str, Any]) -> Tuple[int, Dict[str, str], Any]:
        """A ``responses.add``-style answer (status, json or body, content_type, headers)."""
        body = answer.get("body")
        if isinstance(body, BaseException):
            raise body
        if "json" in answer:
            body = json.dumps(answer["json"])
        headers = dict(answer.get("headers") or {})
        headers["Content-Type"] = answer.get("content_type", "application/json")
        return answer.get("status", 200), headers, body if body is not None else ""

    def metrics(self) -> List[Tuple[str, Optional[str]]]:
        """(metric, pageToken) of every request, in order."""
        return [(m, q.get("pageToken")) for m, q, _ in self.requests]

    def bearers(self) -> List[str]:
        return [h.get("Authorization", "") for _, _, h in self.requests]
