"""gcloud's active configuration, read only: its ``[core]`` project and account.

The active configuration is ``$CLOUDSDK_ACTIVE_CONFIG_NAME``, else the name in
``<gcloud dir>/active_config``, else ``default``; its properties are the INI file
``<gcloud dir>/configurations/config_<name>``. A missing or unreadable file means "no
setting": gcloud's files are never a reason for vibeusage to fail, and never written.
"""

import re
from pathlib import Path
from typing import Dict, Optional

from ...kit.values import opt_str
from ..base import FetchContext
from .credentials import gcloud_dir

#: gcloud's own rule for configuration names (it ignores an active_config that breaks it).
CONFIG_NAME = re.compile(r"[a-z][-a-z0-9]*\Z")
#: Larger files are not gcloud's.
MAX_BYTES = 1 << 20


def active_config_name(ctx: FetchContext) -> Optional[str]:
    """The active configuration's name, or None when the one named is not a valid name."""
    name = opt_str(ctx.environ.get("CLOUDSDK_ACTIVE_CONFIG_NAME"))
    if name is None:
        name = opt_str(_read_text(gcloud_dir(ctx) / "active_config")) or "default"
    return name if CONFIG_NAME.match(name) else None


def core_properties(ctx: FetchContext) -> Dict[str, str]:
    """The non-blank values of ``[core]`` in the active configuration (keys lowercased)."""
    import configparser

    name = active_config_name(ctx)
    if name is None:
        return {}
    text = _read_text(gcloud_dir(ctx) / "configurations" / f"config_{name}")
    if text is None:
        return {}
    # Keys are lowercased, as gcloud's own ConfigParser reads them.
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return {}
    if not parser.has_section("core"):
        return {}
    return {key: value.strip() for key, value in parser.items("core") if value and value.strip()}


def _read_text(path: Path) -> Optional[str]:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError:
        return None
    if len(raw) > MAX_BYTES:
        return None
    return raw.decode("utf-8", errors="replace")
