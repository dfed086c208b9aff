"""Vertex AI (Google Cloud): the manifest.

Per-project quotas of ``aiplatform.googleapis.com`` as Cloud Monitoring records them.
``adc`` (the Application Default Credentials file, refreshed or signed by vibeusage in
memory) -> ``gcloud`` (``gcloud auth application-default print-access-token``). Both need
an ADC file: an installed Cloud SDK alone is not a login.
"""

from ..manifest import Provider, StrategyRef

PROVIDER = Provider(
    id="vertexai",
    name="Vertex AI",
    homepage="https://cloud.google.com/vertex-ai",
    dashboard_url=(
        "https://console.cloud.google.com/iam-admin/quotas?service=aiplatform.googleapis.com"
    ),
    # Google Cloud's status page is not a Statuspage site and is not polled.
    status_url=None,
    status_fetch="vertexai.status:status_link",
    strategies=(
        StrategyRef("adc", "Application Default Credentials", "vertexai.adc:VertexAdc"),
        StrategyRef("gcloud", "gcloud application-default token", "vertexai.gcloud:VertexGcloud"),
    ),
    setup_hint=(
        "Run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS "
        "to a service-account key."
    ),
    description="Google Cloud Vertex AI quotas (per minute and per day, from Cloud Monitoring)",
    options={"project": str, "quota_project": str},
    login_key="vertexai.login_key:vertex_login_key",
    env_vars=(
        "GOOGLE_APPLICATION_CREDENTIALS",
        "CLOUDSDK_CONFIG",
        "GOOGLE_CLOUD_PROJECT",
        "GCLOUD_PROJECT",
        "CLOUDSDK_CORE_PROJECT",
        "CLOUDSDK_ACTIVE_CONFIG_NAME",
        "GOOGLE_CLOUD_QUOTA_PROJECT",
    ),
    tools=("gcloud",),
    token_patterns=(
        # Google access tokens, refresh tokens and OAuth client secrets.
        r"(?:ya29\.|1//|GOCSPX-)[A-Za-z0-9_\-.]{10,}",
        # A service-account key's PEM block.
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----[A-Za-z0-9+/=\s\\n]*-----END [A-Z ]*PRIVATE KEY-----",
    ),
)
