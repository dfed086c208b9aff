"""MiniMax (Token Plan and Coding Plan): the manifest, one strategy.

``api_key``: a plan key (``sk-cp-…``) from, in order, ``MINIMAX_CODING_API_KEY``,
``MINIMAX_API_KEY``, ``MINIMAX_CN_API_KEY`` (starts at the China host) and the key stored
with ``vibeusage key minimax set``. Global host ``api.minimax.io``, China host
``api.minimaxi.com`` (``region``).
"""

from ..manifest import Provider, SecretSpec, StrategyRef

PROVIDER = Provider(
    id="minimax",
    name="MiniMax",
    homepage="https://platform.minimax.io",
    dashboard_url="https://platform.minimax.io/user-center/payment/coding-plan?cycle_type=3",
    status_url=None,
    strategies=(StrategyRef("api_key", "MiniMax plan API key", "minimax.api:MiniMaxApiKey"),),
    setup_hint=(
        "Copy the Token Plan key (`sk-cp-…`) from the Token Plan page of platform.minimax.io "
        "(China: platform.minimaxi.com) and store it with `vibeusage key minimax set`, or set "
        "MINIMAX_API_KEY."
    ),
    description="MiniMax Token Plan / Coding Plan (5-hour and weekly windows, per-model lanes)",
    options={"region": str},
    secret=SecretSpec(
        name="api_key",
        label="MiniMax Token Plan key (`sk-cp-…`, from the Token Plan page)",
        check="minimax.api:key_problem",
        validate="minimax.api:validate_key",
    ),
    login_key="minimax.login_key:minimax_login_key",
    env_vars=("MINIMAX_CODING_API_KEY", "MINIMAX_API_KEY", "MINIMAX_CN_API_KEY"),
    # Plan keys (sk-cp-…) and pay-as-you-go keys (sk-api-…).
    token_patterns=(r"sk-(?:cp|api)-[A-Za-z0-9_\-]{10,}",),
)
