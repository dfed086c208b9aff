"""What both strategies end in: the two Monitoring listings and the parser, for one project."""

from typing import Callable, Optional

from ...kit.http import decoding
from ...models import ProviderIdentity, UsageSnapshot
from ..base import FetchContext
from .monitoring import LIMIT_QUERY, USAGE_QUERY, Listing, Monitoring, TokenSource
from .project import Projects
from .usage import NAME, parse_quotas


def fetch_quotas(
    ctx: FetchContext,
    projects: Projects,
    tokens: TokenSource,
    *,
    source: str,
    email: Callable[[], Optional[str]],
) -> UsageSnapshot:
    """Usage, then limits (skipped when nothing was used), joined into a snapshot."""
    now = ctx.now()
    monitoring = Monitoring(ctx, projects, tokens)
    usage = monitoring.listing(USAGE_QUERY, now)
    limits = monitoring.listing(LIMIT_QUERY, now) if usage.series else Listing()
    identity = ProviderIdentity(email=email(), organization=projects.target)
    with decoding(NAME, "Cloud Monitoring quota data"):
        return parse_quotas(
            usage.series,
            limits.series,
            now,
            identity=identity,
            source=source,
            notes=usage.notes + limits.notes,
        )
