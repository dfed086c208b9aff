"""The login key a run would read for a provider, for tests that prepare its cache."""

import os
from pathlib import Path
from typing import Mapping, Optional

from tests.conftest import make_ctx


def login_key_of(
    provider_id: str, home_root: Path, environ: Optional[Mapping[str, str]] = None
) -> Optional[str]:
    """What ``Provider.login_key`` reads for ``provider_id`` in that home and environment."""
    from vibeusage.providers import providers_by_id

    reader = providers_by_id()[provider_id].login_key
    if reader is None:
        return None
    env = dict(os.environ if environ is None else environ)
    key: Optional[str] = reader(make_ctx(provider_id, home_root, env, session=False))
    return key
