"""Vertex AI's local inputs: where the ADC file is (google-auth's order, per platform), what
it holds, gcloud's active configuration, the target and quota projects in the documented
order, and the manifest. No request is made by any of it.
"""

from pathlib import Path
from typing import Any, Dict

import pytest

from tests.conftest import Home
from tests.providers.vertexai_support import (
    BILLING_PROJECT,
    CLIENT_SECRET,
    PEM_CORE,
    PROJECT,
    REFRESH_TOKEN,
    SA_ADC,
    USER_ADC,
    default_adc_path,
    gcloud_dir,
    vertex_ctx,
    write_gcloud_config,
)
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.providers.vertexai import PROVIDER
from vibeusage.providers.vertexai.adc import VertexAdc
from vibeusage.providers.vertexai.credentials import (
    AuthorizedUser,
    OtherCredentials,
    ServiceAccount,
    adc_path,
    parse_adc,
    read_adc,
)
from vibeusage.providers.vertexai.gcloud import VertexGcloud
from vibeusage.providers.vertexai.gcloud_config import active_config_name, core_properties
from vibeusage.providers.vertexai.project import resolve_projects, target_project

ENV_PROJECTS = ("GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT", "CLOUDSDK_CORE_PROJECT")


# --- the manifest -------------------------------------------------------------------------------


def test_manifest_follows_the_contract() -> None:
    assert (PROVIDER.id, PROVIDER.name) == ("vertexai", "Vertex AI")
    assert PROVIDER.strategy_names() == ("adc", "gcloud")
    assert [type(s.load()) for s in PROVIDER.strategies] == [VertexAdc, VertexGcloud]
    assert [s.label for s in PROVIDER.strategies] == [
        type(s.load()).label for s in PROVIDER.strategies
    ]
    assert PROVIDER.options == {"project": str, "quota_project": str}
    assert set(PROVIDER.env_vars) == {
        "GOOGLE_APPLICATION_CREDENTIALS",
        "CLOUDSDK_CONFIG",
        "GOOGLE_CLOUD_PROJECT",
        "GCLOUD_PROJECT",
        "CLOUDSDK_CORE_PROJECT",
        "CLOUDSDK_ACTIVE_CONFIG_NAME",
        "GOOGLE_CLOUD_QUOTA_PROJECT",
    }
    assert PROVIDER.tools == ("gcloud",)
    assert PROVIDER.status_url is None
    assert "aiplatform.googleapis.com" in PROVIDER.dashboard_url
    assert "gcloud auth application-default login" in PROVIDER.setup_hint
    assert "GOOGLE_APPLICATION_CREDENTIALS" in PROVIDER.setup_hint


def test_status_names_google_clouds_page_without_a_request() -> None:
    status = PROVIDER.status_fetch(None, None)  # type: ignore[misc]
    assert status.level.value == "unknown"
    assert "https://status.cloud.google.com" in (status.description or "")


def test_token_patterns_match_google_tokens_and_pem_keys() -> None:
    import re

    text = f"{REFRESH_TOKEN} ya29.a0AbCdEfGhIjKlMn {SA_ADC['private_key']}"
    found = [m.group(0) for pattern in PROVIDER.token_patterns for m in re.finditer(pattern, text)]
    assert REFRESH_TOKEN in found and "ya29.a0AbCdEfGhIjKlMn" in found
    assert any(PEM_CORE in item for item in found)


# --- where the ADC file is ----------------------------------------------------------------------


def test_adc_defaults_to_gclouds_folder_on_linux_and_macos(home: Home) -> None:
    for platform in ("linux", "darwin"):
        assert adc_path(vertex_ctx(home, platform=platform)) == default_adc_path(home)


def test_adc_on_windows_is_under_appdata(home: Home, tmp_path: Path) -> None:
    ctx = vertex_ctx(home, {"APPDATA": str(tmp_path / "Roaming")}, platform="win32")
    assert adc_path(ctx) == tmp_path / "Roaming" / "gcloud" / "application_default_credentials.json"


def test_cloudsdk_config_moves_the_gcloud_folder_and_expands_the_home(home: Home) -> None:
    ctx = vertex_ctx(home, {"CLOUDSDK_CONFIG": "~/elsewhere"})
    assert adc_path(ctx) == home.root / "elsewhere" / "application_default_credentials.json"


def test_google_application_credentials_wins_over_gcloud_even_when_missing(
    home: Home, tmp_path: Path
) -> None:
    default_adc_path(home).parent.mkdir(parents=True)
    default_adc_path(home).write_text("{}")
    ctx = vertex_ctx(
        home,
        {"GOOGLE_APPLICATION_CREDENTIALS": str(tmp_path / "gone.json"), "CLOUDSDK_CONFIG": "/x"},
    )
    assert adc_path(ctx) == tmp_path / "gone.json"
    assert VertexAdc().available(ctx) is False
    assert "GOOGLE_APPLICATION_CREDENTIALS names" in VertexAdc().explain(ctx)


def test_blank_google_application_credentials_is_unset(home: Home) -> None:
    ctx = vertex_ctx(home, {"GOOGLE_APPLICATION_CREDENTIALS": "  ", "CLOUDSDK_CONFIG": ""})
    assert adc_path(ctx) == default_adc_path(home)


def test_a_directory_in_place_of_the_file_is_not_available(home: Home) -> None:
    default_adc_path(home).mkdir(parents=True)
    assert VertexAdc().available(vertex_ctx(home)) is False


# --- what the ADC file holds --------------------------------------------------------------------


def test_authorized_user_fixture_is_read_without_showing_its_secrets() -> None:
    adc = parse_adc(USER_ADC, "adc.json")
    assert isinstance(adc, AuthorizedUser)
    assert adc.quota_project_id == BILLING_PROJECT
    assert adc.account is None  # "" in the file
    assert REFRESH_TOKEN not in repr(adc) and CLIENT_SECRET not in repr(adc)


def test_service_account_fixture_is_read_without_showing_its_key() -> None:
    adc = parse_adc(SA_ADC, "key.json")
    assert isinstance(adc, ServiceAccount)
    assert (adc.client_email, adc.project_id, adc.token_uri) == (
        SA_ADC["client_email"],
        PROJECT,
        "https://oauth2.googleapis.com/token",
    )
    assert adc.private_key_id == SA_ADC["private_key_id"]
    assert PEM_CORE not in repr(adc)


def test_a_key_without_token_uri_uses_googles_endpoint() -> None:
    data = {k: v for k, v in SA_ADC.items() if k != "token_uri"}
    adc = parse_adc(data, "key.json")
    assert isinstance(adc, ServiceAccount)
    assert adc.token_uri == "https://oauth2.googleapis.com/token"


@pytest.mark.parametrize("kind", ["external_account", "impersonated_service_account", "new_kind"])
def test_other_adc_types_are_kept_for_gcloud(kind: str) -> None:
    adc = parse_adc({"type": kind, "quota_project_id": "q"}, "adc.json")
    assert adc == OtherCredentials(kind, None, "q")


@pytest.mark.parametrize(
    "data",
    [
        [],
        "x",
        {},
        {"type": None},
        {"type": "authorized_user", "client_id": "c", "client_secret": "s"},
        {"type": "authorized_user", "client_id": "c", "refresh_token": "r", "client_secret": " "},
        {"type": "service_account", "client_email": "a@b"},
        {"type": "service_account", "private_key": "k"},
    ],
)
def test_incomplete_adc_documents_are_authentication_errors(data: Any) -> None:
    with pytest.raises(VibeusageError) as caught:
        parse_adc(data, "adc.json")
    assert caught.value.category is ErrorCategory.AUTHENTICATION
    assert "adc.json" in caught.value.message


def test_unreadable_adc_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "adc.json"
    path.write_text("{not json")
    with pytest.raises(VibeusageError) as caught:
        read_adc(path)
    assert caught.value.category is ErrorCategory.AUTHENTICATION
    assert str(path) in caught.value.message


# --- gcloud's active configuration --------------------------------------------------------------


def test_active_configuration_is_env_then_active_config_then_default(home: Home) -> None:
    assert active_config_name(vertex_ctx(home)) == "default"
    write_gcloud_config(home, "work", active="work\n")
    assert active_config_name(vertex_ctx(home)) == "work"
    ctx = vertex_ctx(home, {"CLOUDSDK_ACTIVE_CONFIG_NAME": "other"})
    assert active_config_name(ctx) == "other"


@pytest.mark.parametrize("name", ["../../etc/passwd", "Upper", "with space", "-dash"])
def test_invalid_configuration_names_are_ignored_like_gcloud_does(home: Home, name: str) -> None:
    write_gcloud_config(home)
    ctx = vertex_ctx(home, {"CLOUDSDK_ACTIVE_CONFIG_NAME": name})
    assert active_config_name(ctx) is None
    assert core_properties(ctx) == {}


def test_core_project_and_account_come_from_the_fixture_configuration(home: Home) -> None:
    write_gcloud_config(home, active="default")
    assert core_properties(vertex_ctx(home)) == {
        "account": "dev@example.com",
        "project": PROJECT,
        "disable_usage_reporting": "True",
    }


@pytest.mark.parametrize(
    "text, expected",
    [
        ("[core]\nproject_number = 1\nquota_project = q\n", None),  # only `project` exactly
        ("[core]\nproject =   \n", None),
        ("[compute]\nproject = p\n", None),
        ("not an ini [ file", None),
        ("[core]\nproject = p-1\n[core]\nproject = p-2\n", "p-2"),
        ("\ufeff[core]\nproject = bom\n", None),
        ("[core]\nProject = p\n", "p"),  # gcloud's ConfigParser lowercases keys
    ],
)
def test_only_the_exact_core_project_key_is_a_project(home: Home, text: str, expected: Any) -> None:
    write_gcloud_config(home, text=text)
    assert target_project(vertex_ctx(home), None) == expected


def test_gcloud_files_are_read_from_cloudsdk_config(home: Home, tmp_path: Path) -> None:
    (tmp_path / "sdk" / "configurations").mkdir(parents=True)
    (tmp_path / "sdk" / "configurations" / "config_default").write_text("[core]\nproject = moved\n")
    ctx = vertex_ctx(home, {"CLOUDSDK_CONFIG": str(tmp_path / "sdk")})
    assert target_project(ctx, None) == "moved"
    assert not gcloud_dir(home).exists()


# --- projects -----------------------------------------------------------------------------------


def layered(home: Home, drop: int) -> Dict[str, Any]:
    """Every project source set; the first ``drop`` ones removed."""
    write_gcloud_config(home, text="[core]\nproject = from-gcloud\n")
    environ = {name: f"from-{name.lower()}" for name in ENV_PROJECTS}
    options = {"project": "from-config"}
    sources: list = [("option", None)] + [("env", name) for name in ENV_PROJECTS]
    for kind, name in sources[:drop]:
        if kind == "option":
            options = {}
        else:
            environ[name] = " "
    return {"environ": environ, "options": options}


@pytest.mark.parametrize(
    "drop, expected",
    [
        (0, "from-config"),
        (1, "from-google_cloud_project"),
        (2, "from-gcloud_project"),
        (3, "from-cloudsdk_core_project"),
        (4, "from-gcloud"),
    ],
)
def test_target_project_order_config_env_then_gcloud(home: Home, drop: int, expected: str) -> None:
    args = layered(home, drop)
    ctx = vertex_ctx(home, args["environ"], options=args["options"])
    adc = parse_adc(SA_ADC, "key.json")
    assert target_project(ctx, adc) == expected


def test_then_the_service_accounts_project_then_the_quota_project(home: Home) -> None:
    ctx = vertex_ctx(home)
    assert target_project(ctx, parse_adc(SA_ADC, "key.json")) == PROJECT
    assert target_project(ctx, parse_adc(USER_ADC, "adc.json")) == BILLING_PROJECT
    assert target_project(ctx, None) is None


def test_no_project_anywhere_is_a_configuration_error_with_the_three_ways(home: Home) -> None:
    user = dict(USER_ADC, quota_project_id=None)
    with pytest.raises(VibeusageError) as caught:
        resolve_projects(vertex_ctx(home), parse_adc(user, "adc.json"))
    error = caught.value
    assert (error.category, error.exit_code) == (ErrorCategory.CONFIGURATION, 4)
    assert error.message == "No Google Cloud project for Vertex AI"
    assert "[providers.vertexai] project" in error.remediation
    assert "GOOGLE_CLOUD_PROJECT" in error.remediation
    assert "gcloud config set project" in error.remediation


def test_quota_project_order_config_env_adc_then_target_for_users(home: Home) -> None:
    user = parse_adc(USER_ADC, "adc.json")
    env = {"GOOGLE_CLOUD_PROJECT": "target", "GOOGLE_CLOUD_QUOTA_PROJECT": "from-env"}
    options = {"quota_project": "from-config"}
    assert resolve_projects(vertex_ctx(home, env, options=options), user).quota == "from-config"
    assert resolve_projects(vertex_ctx(home, env), user).quota == "from-env"
    env.pop("GOOGLE_CLOUD_QUOTA_PROJECT")
    assert resolve_projects(vertex_ctx(home, env), user).quota == BILLING_PROJECT
    no_quota = parse_adc(dict(USER_ADC, quota_project_id=None), "adc.json")
    assert resolve_projects(vertex_ctx(home, env), no_quota).quota == "target"
    assert resolve_projects(vertex_ctx(home, env), None).quota == "target"


def test_service_accounts_send_a_quota_project_only_when_one_is_set(home: Home) -> None:
    key = parse_adc(SA_ADC, "key.json")
    assert resolve_projects(vertex_ctx(home), key).quota is None
    env = {"GOOGLE_CLOUD_QUOTA_PROJECT": "billing"}
    assert resolve_projects(vertex_ctx(home, env), key).quota == "billing"
