"""The usage request and the account request at once, the account cached a day per login.

Email, organisation and plan change rarely, so a strategy asks for them only when its cache
for this login is cold, and then at the same time as the usage, so a run costs one round
trip. The account is a bonus: when it fails the usage still counts.
"""

from datetime import datetime, timedelta
from typing import Any, Callable, Optional, Tuple

from ..errors import VibeusageError
from ..models import ProviderIdentity
from .http import decoding
from .parallel import run_parallel
from .state import ProviderState

#: How long an account read answers for its login.
IDENTITY_TTL = timedelta(hours=24)


def usage_and_identity(
    state: ProviderState,
    tag: str,
    now: datetime,
    timeout: float,
    usage: Callable[[], Any],
    account: Callable[[], Any],
    parse: Callable[[Any], ProviderIdentity],
    provider_name: str,
) -> Tuple[Any, Optional[ProviderIdentity]]:
    """The usage response and the identity (None when it could not be read).

    ``usage`` and ``account`` each make one request and return the response; ``parse``
    reads the account's JSON. A failed usage request is raised; the identity is cached
    under ``tag`` (a login key) only when the usage request succeeded with it.
    """
    cache = state.json_cache("identity", ttl=IDENTITY_TTL)
    cached = cache.load(tag, now)
    if cached is not None:
        return usage(), ProviderIdentity.from_dict(cached)
    (usage_ok, response), (account_ok, answer) = run_parallel(
        [usage, account],
        timeout + 1.0,  # the runner's own bound on the strategy comes first
        provider_name.lower().replace(" ", "-"),
    )
    if not usage_ok:
        raise response
    identity = _read(answer, parse, provider_name) if account_ok else None
    if identity is not None and response.status_code == 200:
        try:
            cache.save(tag, identity.to_dict(), now)
        except OSError:  # a cache that cannot be written costs one request next time
            pass
    return response, identity


def _read(
    response: Any, parse: Callable[[Any], ProviderIdentity], provider_name: str
) -> Optional[ProviderIdentity]:
    try:
        with decoding(provider_name, "account data"):
            return parse(response.json())
    except VibeusageError:
        return None
