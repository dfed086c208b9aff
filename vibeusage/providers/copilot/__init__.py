"""GitHub Copilot: the manifest, one strategy per token source, in order.

``device_flow`` (vibeusage's own token) -> ``COPILOT_GITHUB_TOKEN`` -> ``GH_TOKEN`` ->
``GITHUB_TOKEN`` -> ``gh`` (the GitHub CLI's login); each asks ``copilot_internal/user``.
``vibeusage auth copilot`` runs GitHub's device flow; ``vibeusage key copilot set`` stores
a token given by hand.
"""

from ..manifest import Provider, SecretSpec, StrategyRef

_TOKEN = "copilot.api:CopilotToken"

PROVIDER = Provider(
    id="copilot",
    name="GitHub Copilot",
    homepage="https://github.com/features/copilot",
    dashboard_url="https://github.com/settings/copilot",
    status_url="https://www.githubstatus.com/api/v2/status.json",
    strategies=(
        StrategyRef("device_flow", "GitHub token stored by vibeusage", _TOKEN, ("device_flow",)),
        StrategyRef(
            "COPILOT_GITHUB_TOKEN",
            "COPILOT_GITHUB_TOKEN environment variable",
            _TOKEN,
            ("COPILOT_GITHUB_TOKEN",),
        ),
        StrategyRef("GH_TOKEN", "GH_TOKEN environment variable", _TOKEN, ("GH_TOKEN",)),
        StrategyRef("GITHUB_TOKEN", "GITHUB_TOKEN environment variable", _TOKEN, ("GITHUB_TOKEN",)),
        StrategyRef("gh", "GitHub CLI login (gh hosts.yml)", _TOKEN, ("gh",)),
    ),
    setup_hint=(
        "Run `vibeusage auth copilot` to log in with GitHub (or set GH_TOKEN, or log in "
        "with `gh auth login`)."
    ),
    description="GitHub Copilot premium requests, chat and completions quotas",
    options={"host": str},
    secret=SecretSpec(
        name="token",
        label="GitHub token with Copilot access (gho_..., ghu_..., ghp_... or github_pat_...)",
        check="copilot.api:token_problem",
        validate="copilot.api:validate_token",
    ),
    login="copilot.device_flow:login",
    login_key="copilot.login_key:copilot_login_key",
    env_vars=("COPILOT_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN", "GH_CONFIG_DIR"),
    tools=("gh",),
    # Classic (ghp_, gho_, ghu_, ghs_, ghr_) and fine-grained (github_pat_) tokens.
    token_patterns=(r"(?:gh[opusr]_|github_pat_)[A-Za-z0-9_]{10,}",),
)
