"""Z.ai (GLM Coding Plan; BigModel in mainland China): the manifest, one strategy.

``api_key``: a Z.ai / BigModel API key from, in order, ``ZAI_API_KEY``, ``Z_AI_API_KEY``,
``GLM_API_KEY``, the China-named ``BIGMODEL_API_KEY``, ``ZHIPUAI_API_KEY``,
``ZHIPU_API_KEY``, the key stored with ``vibeusage key zai set``, then Claude Code set up
for GLM (``ANTHROPIC_AUTH_TOKEN`` with ``ANTHROPIC_BASE_URL`` on a Z.ai host, from the
environment or the ``env`` block of Claude Code's ``settings.json``). Global host
``api.z.ai``, China host ``open.bigmodel.cn`` (``region``).
"""

from ..manifest import Provider, SecretSpec, StrategyRef

PROVIDER = Provider(
    id="zai",
    name="Z.ai",
    homepage="https://z.ai/subscribe",
    dashboard_url="https://z.ai/manage-apikey/coding-plan/personal/my-plan",
    status_url=None,
    strategies=(StrategyRef("api_key", "Z.ai API key", "zai.api:ZaiApiKey"),),
    setup_hint=(
        "Create an API key at https://z.ai/manage-apikey/apikey-list (China: the BigModel "
        "console) and store it with `vibeusage key zai set`, or set ZAI_API_KEY."
    ),
    description="Z.ai GLM Coding Plan (5-hour, weekly and monthly tool limits)",
    options={"region": str},
    secret=SecretSpec(
        name="api_key",
        label="Z.ai API key (`<id>.<secret>`, from z.ai/manage-apikey/apikey-list)",
        check="zai.api:key_problem",
        validate="zai.api:validate_key",
    ),
    login_key="zai.login_key:zai_login_key",
    env_vars=(
        "ZAI_API_KEY",
        "Z_AI_API_KEY",
        "GLM_API_KEY",
        "BIGMODEL_API_KEY",
        "ZHIPUAI_API_KEY",
        "ZHIPU_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
        "ANTHROPIC_BASE_URL",
        "CLAUDE_CONFIG_DIR",
    ),
    # `{API key id}.{secret}`: a hex id, a dot and a short secret.
    token_patterns=(r"[0-9a-fA-F]{16,}\.[A-Za-z0-9]{8,}",),
)
