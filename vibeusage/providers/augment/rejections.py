"""Sessions Augment has rejected, remembered by fingerprint: auggie is never run with them.

On a 401 auggie deletes the login file of its cache folder, so a session the tenant refused
(by the ``oauth`` strategy or in auggie's own answer) is marked here, and the ``cli``
strategy refuses to start auggie for it until the session changes or is accepted again.
"""

from ...kit.values import fingerprint
from ..base import FetchContext

CACHE_NAME = "rejected-session"


def mark_rejected(ctx: FetchContext, token: str) -> None:
    try:
        ctx.state.json_cache(CACHE_NAME).save(fingerprint(token), {"rejected": True}, ctx.now())
    except OSError:
        pass  # the chain stops on the 401 anyway; only a later run loses the memory


def was_rejected(ctx: FetchContext, token: str) -> bool:
    data = ctx.state.json_cache(CACHE_NAME).load(fingerprint(token), ctx.now())
    return bool(data and data.get("rejected") is True)


def forget_rejection(ctx: FetchContext) -> None:
    ctx.state.json_cache(CACHE_NAME).forget()
