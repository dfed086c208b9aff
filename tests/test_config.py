"""The TOML config file: defaults, every key, and errors that name the file, line and key."""

from pathlib import Path

import pytest

from vibeusage.config import Config, DisplayConfig, FetchConfig, ProviderConfig, load_config
from vibeusage.errors import ConfigError, ErrorCategory

KNOWN = {"claude": ("oauth",)}


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return tmp_path / "vibeusage" / "config.toml"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def load(path: Path, environ=None) -> Config:
    return load_config(path, KNOWN, {} if environ is None else environ)


def load_error(path: Path, environ=None) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load(path, environ)
    error = info.value
    assert error.exit_code == 4
    assert error.category is ErrorCategory.CONFIGURATION
    return error


# --- defaults and a complete file -----------------------------------------------------------


def test_missing_file_gives_defaults(config_path):
    config = load(config_path)
    assert config.enabled_providers is None
    assert config.display == DisplayConfig(pace_colors=True, reset_format="countdown")
    assert config.fetch == FetchConfig(
        timeout=30.0, max_concurrent=5, fresh_ttl=60.0, stale_threshold=3600.0, deadline=60.0
    )
    assert dict(config.providers) == {}
    assert config.source is None
    assert config.provider("claude") == ProviderConfig(enabled=True, auth_source="auto")


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file_gives_defaults(config_path, text):
    config = load(write(config_path, text))
    assert config.enabled_providers is None
    assert config.fetch == FetchConfig()
    assert config.display == DisplayConfig()


FULL = """
enabled_providers = ["claude"]

[display]
pace_colors = false
reset_format = "absolute"

[fetch]
timeout = 12.5
max_concurrent = 3
fresh_ttl = 0
stale_threshold = 7200
deadline = 90

[providers.claude]
enabled = false
auth_source = "oauth"
credentials_file = "/somewhere/else.json"
"""


def test_valid_file_sets_every_key(config_path):
    config = load(write(config_path, FULL))
    assert config.enabled_providers == ("claude",)
    assert config.display.pace_colors is False
    assert config.display.reset_format == "absolute"
    assert config.fetch.timeout == 12.5
    assert config.fetch.max_concurrent == 3
    assert isinstance(config.fetch.max_concurrent, int)
    assert config.fetch.fresh_ttl == 0.0
    assert config.fetch.stale_threshold == 7200.0
    assert config.fetch.deadline == 90.0
    claude = config.provider("claude")
    assert claude.enabled is False
    assert claude.auth_source == "oauth"
    assert dict(claude.options) == {"credentials_file": "/somewhere/else.json"}
    assert config.source == config_path


def test_provider_specific_keys_land_in_options_not_in_known_fields(config_path):
    config = load(write(config_path, '[providers.claude]\nregion = "eu"\nretries = 2\n'))
    claude = config.provider("claude")
    assert dict(claude.options) == {"region": "eu", "retries": 2}
    assert claude.enabled is True
    assert claude.auth_source == "auto"


def test_auth_source_auto_is_accepted(config_path):
    config = load(write(config_path, '[providers.claude]\nauth_source = "auto"\n'))
    assert config.provider("claude").auth_source == "auto"


def test_enabled_providers_are_lowercased(config_path):
    config = load(write(config_path, 'enabled_providers = ["Claude"]\n'))
    assert config.enabled_providers == ("claude",)


def test_empty_enabled_providers_list_is_kept(config_path):
    assert load(write(config_path, "enabled_providers = []\n")).enabled_providers == ()


@pytest.mark.parametrize(
    "text, field, value",
    [
        ("[fetch]\ntimeout = 0.1\n", "timeout", 0.1),
        ("[fetch]\ntimeout = 600\n", "timeout", 600.0),
        ("[fetch]\nmax_concurrent = 1\n", "max_concurrent", 1),
        ("[fetch]\nmax_concurrent = 64\n", "max_concurrent", 64),
        ("[fetch]\nfresh_ttl = 86400\n", "fresh_ttl", 86400.0),
        ("[fetch]\nstale_threshold = 0\n", "stale_threshold", 0.0),
        ("[fetch]\ndeadline = 3600\n", "deadline", 3600.0),
    ],
)
def test_numbers_at_the_range_limits_are_accepted(config_path, text, field, value):
    assert getattr(load(write(config_path, text)).fetch, field) == value


# --- broken files ----------------------------------------------------------------------------


def test_broken_toml_names_the_file_and_the_line(config_path):
    write(config_path, "[fetch]\ntimeout = 30\nmax_concurrent = = 5\n")
    error = load_error(config_path)
    assert str(config_path) in error.message
    assert "line 3" in error.message
    assert "line" in error.remediation


def test_unclosed_table_header_is_a_config_error(config_path):
    error = load_error(write(config_path, "[display\npace_colors = true\n"))
    assert str(config_path) in error.message
    assert "line 1" in error.message


def test_non_utf8_file_is_a_config_error_naming_the_file(config_path):
    config_path.parent.mkdir(parents=True)
    config_path.write_bytes(b'[display]\nreset_format = "\xff\xfe"\n')
    error = load_error(config_path)
    assert str(config_path) in error.message
    assert "UTF-8" in error.message


def test_a_directory_in_place_of_the_file_is_a_config_error(config_path):
    config_path.mkdir(parents=True)
    error = load_error(config_path)
    assert str(config_path) in error.message


# --- wrong types ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, key",
    [
        ('[fetch]\ntimeout = "30"\n', "fetch.timeout"),
        ("[fetch]\ntimeout = true\n", "fetch.timeout"),
        ("[fetch]\ntimeout = [30]\n", "fetch.timeout"),
        ("[fetch]\nmax_concurrent = 2.5\n", "fetch.max_concurrent"),
        ('[fetch]\nmax_concurrent = "5"\n', "fetch.max_concurrent"),
        ('[fetch]\nfresh_ttl = "1m"\n', "fetch.fresh_ttl"),
        ('[fetch]\ndeadline = "soon"\n', "fetch.deadline"),
        ('[display]\nreset_format = "relative"\n', "display.reset_format"),
        ("[display]\nreset_format = 1\n", "display.reset_format"),
        ('[display]\npace_colors = "yes"\n', "display.pace_colors"),
        ("[display]\npace_colors = 1\n", "display.pace_colors"),
        ('enabled_providers = "claude"\n', "enabled_providers"),
        ("enabled_providers = [1, 2]\n", "enabled_providers"),
        ("display = 5\n", "display"),
        ('fetch = "fast"\n', "fetch"),
        ("providers = []\n", "providers"),
        ('[providers]\nclaude = "oauth"\n', "providers.claude"),
        ('[providers.claude]\nenabled = "no"\n', "providers.claude.enabled"),
    ],
)
def test_wrong_types_are_config_errors_naming_the_key(config_path, text, key):
    error = load_error(write(config_path, text))
    assert f"`{key}`" in error.message
    assert str(config_path) in error.message


@pytest.mark.parametrize(
    "text, key",
    [
        ("[fetch]\ntimeout = 0\n", "fetch.timeout"),
        ("[fetch]\ntimeout = -1\n", "fetch.timeout"),
        ("[fetch]\ntimeout = 601\n", "fetch.timeout"),
        ("[fetch]\ntimeout = nan\n", "fetch.timeout"),
        ("[fetch]\ntimeout = inf\n", "fetch.timeout"),
        ("[fetch]\nmax_concurrent = 0\n", "fetch.max_concurrent"),
        ("[fetch]\nmax_concurrent = 65\n", "fetch.max_concurrent"),
        ("[fetch]\nfresh_ttl = -1\n", "fetch.fresh_ttl"),
        ("[fetch]\nfresh_ttl = 86401\n", "fetch.fresh_ttl"),
        ("[fetch]\nstale_threshold = 2592001\n", "fetch.stale_threshold"),
        ("[fetch]\ndeadline = 0\n", "fetch.deadline"),
        ("[fetch]\ndeadline = 3601\n", "fetch.deadline"),
    ],
)
def test_out_of_range_numbers_are_config_errors(config_path, text, key):
    error = load_error(write(config_path, text))
    assert f"`{key}`" in error.message
    assert "between" in error.message


@pytest.mark.parametrize(
    "text, key",
    [
        ("colour = true\n", "colour"),
        ("[display]\ncolour = true\n", "display.colour"),
        ("[fetch]\nretries = 3\n", "fetch.retries"),
        ("[cache]\nttl = 5\n", "cache"),
    ],
)
def test_unknown_keys_are_config_errors(config_path, text, key):
    error = load_error(write(config_path, text))
    assert f"unknown key `{key}`" in error.message
    assert "Known keys" in error.remediation


def test_unknown_provider_in_enabled_providers_is_a_config_error(config_path):
    error = load_error(write(config_path, 'enabled_providers = ["claude", "cursr"]\n'))
    assert "'cursr'" in error.message
    assert "claude" in error.remediation


def test_unknown_provider_table_is_a_config_error(config_path):
    error = load_error(write(config_path, "[providers.cursr]\nenabled = true\n"))
    assert "`providers.cursr`" in error.message
    assert "claude" in error.remediation


def test_unknown_auth_source_is_a_config_error(config_path):
    error = load_error(write(config_path, '[providers.claude]\nauth_source = "web"\n'))
    assert "`providers.claude.auth_source`" in error.message
    assert '"oauth"' in error.message
    assert '"auto"' in error.message


# --- environment override ---------------------------------------------------------------------


def test_env_enabled_providers_applies_without_a_file(config_path):
    config = load(config_path, {"VIBEUSAGE_ENABLED_PROVIDERS": "claude"})
    assert config.enabled_providers == ("claude",)


def test_env_enabled_providers_is_trimmed_and_lowercased(config_path):
    config = load(config_path, {"VIBEUSAGE_ENABLED_PROVIDERS": " Claude , "})
    assert config.enabled_providers == ("claude",)


def test_env_enabled_providers_overrides_the_file_and_keeps_the_rest(config_path):
    write(config_path, FULL.replace('enabled_providers = ["claude"]', "enabled_providers = []"))
    config = load(config_path, {"VIBEUSAGE_ENABLED_PROVIDERS": "claude"})
    assert config.enabled_providers == ("claude",)
    assert config.fetch.timeout == 12.5
    assert config.display.reset_format == "absolute"
    assert config.provider("claude").auth_source == "oauth"
    assert config.source == config_path


def test_env_enabled_providers_keeps_the_given_order(config_path):
    known = {"claude": ("oauth",), "codex": ("oauth", "cli")}
    config = load_config(config_path, known, {"VIBEUSAGE_ENABLED_PROVIDERS": "codex,claude"})
    assert config.enabled_providers == ("codex", "claude")


@pytest.mark.parametrize("value", ["", "   "])
def test_blank_env_enabled_providers_is_ignored(config_path, value):
    write(config_path, 'enabled_providers = ["claude"]\n')
    config = load(config_path, {"VIBEUSAGE_ENABLED_PROVIDERS": value})
    assert config.enabled_providers == ("claude",)


def test_env_enabled_providers_with_unknown_name_is_a_config_error(config_path):
    error = load_error(config_path, {"VIBEUSAGE_ENABLED_PROVIDERS": "claude,cursr,nope"})
    assert "VIBEUSAGE_ENABLED_PROVIDERS" in error.message
    assert "cursr" in error.message
    assert "nope" in error.message
    assert "claude" in error.remediation


def test_config_errors_in_the_file_win_over_a_valid_env_override(config_path):
    write(config_path, "[fetch]\ntimeout = 0\n")
    error = load_error(config_path, {"VIBEUSAGE_ENABLED_PROVIDERS": "claude"})
    assert "`fetch.timeout`" in error.message


def test_byte_order_mark_at_the_start_is_tolerated(config_path):
    config_path.parent.mkdir(parents=True, exist_ok=True)
    config_path.write_bytes(b"\xef\xbb\xbf[fetch]\ntimeout = 12\n")
    assert load(config_path).fetch.timeout == 12.0


def test_provider_table_names_are_case_insensitive(config_path):
    write(config_path, '[providers.Claude]\nauth_source = "oauth"\n')
    assert load(config_path).provider("claude").auth_source == "oauth"


def test_env_enabled_providers_of_only_commas_is_ignored(config_path):
    write(config_path, 'enabled_providers = ["claude"]\n')
    assert load(config_path, {"VIBEUSAGE_ENABLED_PROVIDERS": ", ,"}).enabled_providers == (
        "claude",
    )


# --- provider-specific options ---------------------------------------------------------------

OPTIONS = {"claude": {"cli_refresh": bool}}


def test_declared_provider_option_is_kept(config_path):
    write(config_path, "[providers.claude]\ncli_refresh = false\n")
    config = load_config(config_path, KNOWN, {}, OPTIONS)
    assert config.provider("claude").options == {"cli_refresh": False}


def test_declared_provider_option_with_wrong_type_names_the_key(config_path):
    write(config_path, '[providers.claude]\ncli_refresh = "no"\n')
    with pytest.raises(ConfigError) as info:
        load_config(config_path, KNOWN, {}, OPTIONS)
    assert "`providers.claude.cli_refresh` must be true or false" in info.value.message


def test_undeclared_key_is_rejected_when_the_provider_declares_its_options(config_path):
    write(config_path, "[providers.claude]\ncli_refrsh = false\n")
    with pytest.raises(ConfigError) as info:
        load_config(config_path, KNOWN, {}, OPTIONS)
    assert "unknown key `providers.claude.cli_refrsh`" in info.value.message


def test_a_provider_number_option_out_of_its_bounds_is_refused_when_the_config_loads(cli, home):
    home.write_config("[providers.claude]\nstatusline_ttl = 0\n")
    result = cli("config", "show")
    assert result.code == 4
    assert "providers.claude.statusline_ttl" in result.err
    assert "between 1 and 86400" in result.err
    home.write_config("[providers.claude]\nstatusline_ttl = 900\n")
    assert cli("config", "show").code == 0
