"""The usage service without the command line: provider selection, collection, exit codes."""

import io
import os
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple

import pytest

from tests.fakes import FIXED_NOW, FakeStrategy, fake_provider, snapshot_for
from vibeusage.commands.app import App
from vibeusage.errors import ErrorCategory, ExitCode, VibeusageError
from vibeusage.pipeline import ProviderResult, RunOptions
from vibeusage.providers.base import Provider
from vibeusage.service.report import Report
from vibeusage.service.usage import Selection, collect, select_providers
from vibeusage.terminal import Terminal

ALPHA = fake_provider("alpha", [FakeStrategy("alpha")])
BETA = fake_provider("beta", [FakeStrategy("beta")])
GAMMA = fake_provider("gamma", [FakeStrategy("gamma")])


@dataclass
class FakePipeline:
    """The three pipeline methods the service may call, answering from sets, recording calls."""

    credentials: Set[str] = field(default_factory=set)
    cached: Set[str] = field(default_factory=set)
    answers: Dict[str, ProviderResult] = field(default_factory=dict)
    calls: List[Tuple[str, Any]] = field(default_factory=list)

    def has_credentials(self, provider: Provider) -> bool:
        self.calls.append(("has_credentials", provider.id))
        return provider.id in self.credentials

    def has_cache(self, provider: Provider) -> bool:
        self.calls.append(("has_cache", provider.id))
        return provider.id in self.cached

    def run(
        self,
        providers: Sequence[Provider],
        options: RunOptions,
        on_progress: Optional[Callable[[List[str], float], None]] = None,
    ) -> List[ProviderResult]:
        self.calls.append(("run", ([p.id for p in providers], options)))
        if on_progress is not None:
            on_progress([p.id for p in providers], 0.5)
        return [self.answers.get(p.id) or ProviderResult(p, snapshot=_snap(p)) for p in providers]

    def called(self, name: str) -> List[Any]:
        return [arg for called, arg in self.calls if called == name]


def _snap(provider: Provider) -> Any:
    return snapshot_for(provider.id, FIXED_NOW)


@pytest.fixture
def make_app(home, monkeypatch) -> Callable[..., Tuple[App, FakePipeline]]:
    """A real App (real config and registry lookups) whose pipeline is a FakePipeline."""

    def make(*providers: Provider, **pipeline: Any) -> Tuple[App, FakePipeline]:
        monkeypatch.setattr(
            "vibeusage.providers.all_providers", lambda: providers or (ALPHA, BETA, GAMMA)
        )
        app = App(Terminal(io.StringIO(), io.StringIO()), os.environ, lambda: FIXED_NOW)
        fake = FakePipeline(**pipeline)
        app.pipeline = lambda: fake  # type: ignore[method-assign]
        return app, fake

    return make


def fresh(provider: Provider, cached: bool = False) -> ProviderResult:
    return ProviderResult(provider, snapshot=_snap(provider), cached=cached)


def stale(provider: Provider) -> ProviderResult:
    error = VibeusageError("down", ErrorCategory.NETWORK, provider=provider.id)
    return ProviderResult(provider, snapshot=_snap(provider), error=error, cached=True, stale=True)


def failed(provider: Provider, category: ErrorCategory) -> ProviderResult:
    return ProviderResult(provider, error=VibeusageError("no", category, provider=provider.id))


# --- selection -------------------------------------------------------------------------------


def test_default_selection_is_the_enabled_providers_with_credentials_in_order(make_app):
    app, pipeline = make_app(credentials={"gamma", "alpha"})
    selection = select_providers(app)
    assert [p.id for p in selection.providers] == ["alpha", "gamma"]
    assert not selection.named and not selection.single and not selection.first_run
    assert pipeline.called("has_cache") == []


def test_default_selection_skips_disabled_providers_without_asking_for_their_credentials(
    make_app, home
):
    home.write_config("[providers.alpha]\nenabled = false\n")
    app, pipeline = make_app(credentials={"alpha", "beta"})
    assert [p.id for p in select_providers(app).providers] == ["beta"]
    assert pipeline.called("has_credentials") == ["beta", "gamma"]


def test_enabled_providers_setting_orders_the_default_selection(make_app, monkeypatch):
    monkeypatch.setenv("VIBEUSAGE_ENABLED_PROVIDERS", "gamma,alpha")
    app, _ = make_app(credentials={"alpha", "beta", "gamma"})
    assert [p.id for p in select_providers(app).providers] == ["gamma", "alpha"]


def test_named_providers_are_selected_without_credentials_and_without_duplicates(make_app):
    app, pipeline = make_app()
    selection = select_providers(app, ["Beta", "alpha", "beta"])
    assert [p.id for p in selection.providers] == ["beta", "alpha"]
    assert selection.named and not selection.single
    assert pipeline.called("has_credentials") == [] and pipeline.called("has_cache") == []


def test_one_provider_named_twice_is_still_a_single_provider_selection(make_app):
    app, _ = make_app()
    assert select_providers(app, ["alpha", "ALPHA"]).single


def test_named_disabled_provider_is_still_selected(make_app, home):
    home.write_config("[providers.alpha]\nenabled = false\n")
    app, _ = make_app()
    assert [p.id for p in select_providers(app, ["alpha"]).providers] == ["alpha"]


def test_named_providers_win_over_offline_even_without_a_cache(make_app):
    app, _ = make_app(cached=set())
    assert [p.id for p in select_providers(app, ["beta"], offline=True).providers] == ["beta"]


def test_unknown_named_provider_is_a_configuration_error_listing_known_ones(make_app):
    app, _ = make_app()
    with pytest.raises(VibeusageError) as caught:
        select_providers(app, ["alpha", "nosuch"])
    assert caught.value.exit_code == ExitCode.INVALID_INPUT
    assert "alpha, beta, gamma" in (caught.value.remediation or "")


def test_offline_selects_only_cached_providers_and_never_looks_for_credentials(make_app):
    app, pipeline = make_app(cached={"beta"}, credentials={"alpha", "beta", "gamma"})
    selection = select_providers(app, offline=True)
    assert [p.id for p in selection.providers] == ["beta"]
    assert pipeline.called("has_credentials") == []


def test_offline_with_nothing_cached_is_the_nothing_cached_error(make_app):
    app, _ = make_app(credentials={"alpha"})
    with pytest.raises(VibeusageError) as caught:
        select_providers(app, offline=True)
    assert caught.value.message == "Nothing is cached yet"
    assert caught.value.category is ErrorCategory.NETWORK
    assert caught.value.remediation == "Run `vibeusage` once without --offline."


def test_no_provider_with_credentials_is_the_first_run(make_app):
    app, _ = make_app()
    selection = select_providers(app)
    assert selection.providers == () and selection.first_run


def test_invalid_config_is_reported_before_an_unknown_provider(home):
    path = home.write_config("[fetch\n")
    app = App(Terminal(io.StringIO(), io.StringIO()), os.environ, lambda: FIXED_NOW)
    with pytest.raises(VibeusageError) as caught:
        select_providers(app, ["nosuch"])
    assert str(path) in caught.value.message
    assert caught.value.exit_code == ExitCode.INVALID_INPUT


# --- collection ------------------------------------------------------------------------------


def test_collect_runs_the_selection_in_order_with_the_options_and_progress(make_app):
    app, pipeline = make_app()
    options = RunOptions(refresh=True, timeout=5.0)
    seen: List[List[str]] = []
    report = collect(
        app,
        Selection((GAMMA, ALPHA), named=True),
        options,
        on_progress=lambda pending, elapsed: seen.append(pending),
    )
    assert pipeline.called("run") == [(["gamma", "alpha"], options)]
    assert [r.provider_id for r in report.results] == ["gamma", "alpha"]
    assert seen == [["gamma", "alpha"]]
    assert report.now == FIXED_NOW and not report.single


def test_collect_marks_a_single_named_provider(make_app):
    app, _ = make_app()
    report = collect(app, Selection((BETA,), named=True), RunOptions())
    assert report.single
    assert not collect(app, Selection((BETA,)), RunOptions()).single


def test_collect_of_the_first_run_is_an_empty_report_without_running_the_pipeline(make_app):
    app, pipeline = make_app()
    report = collect(app, select_providers(app), RunOptions())
    assert report.results == () and report.exit_code == ExitCode.OK
    assert pipeline.called("run") == []


def test_report_time_is_read_after_the_run(make_app):
    app, pipeline = make_app()
    later = FIXED_NOW + timedelta(minutes=1)

    def clock() -> Any:
        pipeline.calls.append(("clock", None))
        return later

    app.clock = clock
    report = collect(app, Selection((ALPHA,)), RunOptions())
    assert report.now == later
    assert [name for name, _ in pipeline.calls] == ["run", "clock"]


def test_selection_and_collection_share_one_pipeline(home):
    app = App(Terminal(io.StringIO(), io.StringIO()), os.environ, lambda: FIXED_NOW)
    assert app.pipeline() is app.pipeline()


# --- exit codes ------------------------------------------------------------------------------

AUTH, NETWORK, CONFIG, PARSE = (
    ErrorCategory.AUTHENTICATION,
    ErrorCategory.NETWORK,
    ErrorCategory.CONFIGURATION,
    ErrorCategory.PARSE,
)


@pytest.mark.parametrize(
    ("results", "code"),
    [
        ([], ExitCode.OK),
        ([fresh(ALPHA)], ExitCode.OK),
        ([fresh(ALPHA), fresh(BETA, cached=True)], ExitCode.OK),
        ([stale(ALPHA)], ExitCode.PARTIAL),
        ([fresh(ALPHA), stale(BETA)], ExitCode.PARTIAL),
        ([fresh(ALPHA), failed(BETA, AUTH)], ExitCode.PARTIAL),
        ([failed(ALPHA, NETWORK), stale(BETA)], ExitCode.PARTIAL),
        ([failed(ALPHA, AUTH)], ExitCode.AUTH),
        ([failed(ALPHA, ErrorCategory.AUTHORIZATION)], ExitCode.AUTH),
        ([failed(ALPHA, NETWORK), failed(BETA, AUTH)], ExitCode.NETWORK),
        ([failed(ALPHA, AUTH), failed(BETA, NETWORK)], ExitCode.AUTH),
        ([failed(ALPHA, ErrorCategory.RATE_LIMITED)], ExitCode.NETWORK),
        ([failed(ALPHA, CONFIG), failed(BETA, NETWORK)], ExitCode.INVALID_INPUT),
        ([failed(ALPHA, PARSE)], ExitCode.ERROR),
        ([failed(ALPHA, ErrorCategory.NOT_FOUND)], ExitCode.ERROR),
        ([ProviderResult(ALPHA)], ExitCode.ERROR),
        ([ProviderResult(ALPHA), failed(BETA, AUTH)], ExitCode.AUTH),
    ],
    ids=[
        "nothing",
        "fresh",
        "fresh-and-cached",
        "stale-only",
        "fresh-and-stale",
        "fresh-and-error",
        "error-and-stale",
        "auth",
        "forbidden",
        "network-first",
        "auth-first",
        "rate-limited",
        "config-first",
        "parse",
        "not-found",
        "neither-data-nor-error",
        "first-error-after-empty",
    ],
)
def test_exit_code_follows_the_contract(results, code):
    assert Report(tuple(results), FIXED_NOW).exit_code == code


def test_fresh_data_with_an_error_attached_is_partial():
    error = VibeusageError("status page down", ErrorCategory.NETWORK)
    result = ProviderResult(ALPHA, snapshot=_snap(ALPHA), error=error)
    assert Report((result,), FIXED_NOW).exit_code == ExitCode.PARTIAL
