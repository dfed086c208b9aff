"""Every registered provider keeps the contract of a manifest (the checklist of CONTRIBUTING.rst).

Parametrised over the registry: a new provider is checked the moment its id is added to
``PROVIDER_IDS``.
"""

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, make_ctx
from vibeusage.providers import PROVIDER_IDS, all_providers
from vibeusage.providers.manifest import Provider, Ref, StrategyRef

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "vibeusage" / "providers"
PROVIDERS = {provider.id: provider for provider in all_providers()}
IDS = list(PROVIDERS)


def test_every_provider_folder_is_registered_and_every_id_has_a_folder():
    folders = sorted(
        p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").is_file()
    )
    assert sorted(PROVIDER_IDS) == folders
    assert len(set(PROVIDER_IDS)) == len(PROVIDER_IDS)


@pytest.mark.parametrize("provider_id", IDS)
def test_manifest_is_complete(provider_id):
    provider = PROVIDERS[provider_id]
    assert isinstance(provider, Provider)
    assert provider.id == provider_id and re.fullmatch(r"[a-z][a-z0-9]*", provider.id)
    for text in (provider.name, provider.description, provider.setup_hint):
        assert isinstance(text, str) and text.strip()
    for url in (provider.homepage, provider.dashboard_url):
        assert url.startswith("https://")
    assert provider.status_url is None or provider.status_url.startswith("https://")
    assert provider.strategies, "a provider needs at least one strategy"
    assert all(isinstance(s, StrategyRef) for s in provider.strategies)
    for variable in provider.env_vars:
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", variable)
    for kind in provider.options.values():
        assert kind in (str, bool, int, float)


@pytest.mark.parametrize("provider_id", IDS)
def test_manifest_module_holds_only_static_data(provider_id):
    source = (PACKAGE / provider_id / "__init__.py").read_text(encoding="utf-8")
    imports = re.findall(r"^\s*(?:from|import)\s+(\S+)", source, re.MULTILINE)
    assert imports == ["..manifest"], f"{provider_id}'s manifest imports {imports}"


@pytest.mark.parametrize("provider_id", IDS)
def test_strategy_names_are_unique_and_each_reference_resolves_to_a_matching_strategy(
    provider_id,
):
    provider = PROVIDERS[provider_id]
    names = provider.strategy_names()
    assert len(set(names)) == len(names)
    for ref in provider.strategies:
        strategy = ref.load()
        assert strategy.name == ref.name, f"{ref.target} calls itself {strategy.name!r}"
        assert strategy.label == ref.label
        for method in ("available", "run", "explain"):
            assert callable(getattr(strategy, method))


@pytest.mark.parametrize("provider_id", IDS)
def test_secret_login_and_status_references_resolve(provider_id):
    provider = PROVIDERS[provider_id]
    refs = [provider.login, provider.status_fetch]
    if provider.secret is not None:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", provider.secret.name)
        assert provider.secret.label.strip()
        refs += [provider.secret.check, provider.secret.validate]
    for ref in refs:
        if ref is not None:
            assert isinstance(ref, Ref)
            assert callable(ref.load()), ref.target
    if provider.secret is not None:
        assert isinstance(provider.secret.check("x"), str), "a one-letter secret is never valid"


@pytest.mark.parametrize("provider_id", IDS)
def test_availability_and_explanations_make_no_request_and_start_no_program(
    provider_id, home, mocked, monkeypatch
):
    started = []

    def no_programs(*args, **kwargs):
        started.append(args)
        raise AssertionError("available()/explain() must not run a program")

    monkeypatch.setattr(subprocess, "Popen", no_programs)
    provider = PROVIDERS[provider_id]
    ctx = make_ctx(provider_id, home.root)
    for ref in provider.strategies:
        assert ref.available(ctx) in (True, False)
        explanation = ref.explain(ctx)
        assert isinstance(explanation, str) and explanation.strip()
    assert len(mocked.calls) == 0
    assert started == []


@pytest.mark.parametrize("provider_id", IDS)
def test_provider_ships_real_fixtures_that_are_well_formed(provider_id):
    folder = FIXTURES / provider_id
    files = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
    assert files, f"tests/fixtures/{provider_id}/ holds the provider's real payloads"
    for path in files:
        if path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".jsonl":
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    json.loads(line)


@pytest.mark.parametrize("provider_id", IDS)
def test_provider_has_its_own_tests(provider_id):
    tests = list((ROOT / "tests" / "providers").glob(f"test_{provider_id}*.py"))
    assert tests, f"tests/providers/test_{provider_id}*.py"


@pytest.mark.parametrize("provider_id", IDS)
def test_token_patterns_compile_and_are_masked_by_redaction(provider_id):
    from vibeusage.errors import _patterns

    provider = PROVIDERS[provider_id]
    tokens, _ = _patterns()
    for pattern in provider.token_patterns:
        re.compile(pattern)
        assert f"(?:{pattern})" in tokens.pattern


@pytest.mark.parametrize("provider_id", IDS)
def test_readme_documents_the_provider(provider_id):
    readme = (ROOT / "README.rst").read_text(encoding="utf-8")
    in_table = re.search(rf"^{provider_id}\s", readme, re.MULTILINE)  # the providers table
    assert in_table or f"``{provider_id}``" in readme
