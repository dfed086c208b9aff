"""The credentials vibeusage keeps itself: what is stored, storing and deleting (with the cache)."""

from pathlib import Path
from typing import Any, Dict

from ..cache import clear_provider_cache
from ..credentials import CredentialStore
from ..errors import mask_secret
from ..providers.manifest import Provider, SecretSpec
from .context import Context


def key_entry(app: Context, provider: Provider, spec: SecretSpec) -> Dict[str, Any]:
    """What is stored for one provider: masked value, file, date, what it is (no secret)."""
    store = CredentialStore(app.paths)
    stored = store.read(provider.id, spec.name)
    return {
        "stored": stored is not None,
        "masked": mask_secret(stored.value) if stored else None,
        "path": str(store.path(provider.id, spec.name)),
        "created_at": stored.created_at.isoformat() if stored and stored.created_at else None,
        "what": spec.label,
    }


def key_entries(app: Context) -> Dict[str, Dict[str, Any]]:
    """``key_entry`` for every provider that vibeusage can keep a credential for."""
    return {
        p.id: key_entry(app, p, p.secret) for p in app.registry.values() if p.secret is not None
    }


def key_path(app: Context, provider: Provider, spec: SecretSpec) -> Path:
    """Where the provider's credential is (or would be) stored."""
    return CredentialStore(app.paths).path(provider.id, spec.name)


def store_key(app: Context, provider: Provider, spec: SecretSpec, value: str) -> Path:
    """Store ``value`` privately and drop the provider's cache (it belonged to the old login)."""
    path = CredentialStore(app.paths).write(provider.id, spec.name, value)
    clear_provider_cache(app.paths.cache_dir, provider.id)
    return path


def delete_key(app: Context, provider: Provider, spec: SecretSpec) -> bool:
    """Delete the stored credential (and then the provider's cache); whether there was one."""
    deleted = CredentialStore(app.paths).delete(provider.id, spec.name)
    if deleted:
        clear_provider_cache(app.paths.cache_dir, provider.id)
    return deleted


def disconnect(app: Context, provider: Provider) -> bool:
    """Forget what vibeusage stored for a provider and its cache; whether a credential went."""
    spec = provider.secret
    deleted = spec is not None and CredentialStore(app.paths).delete(provider.id, spec.name)
    clear_provider_cache(app.paths.cache_dir, provider.id)
    return deleted


def forget_cache(app: Context, provider: Provider) -> None:
    """Drop the provider's cached data, after a new login made it someone else's."""
    clear_provider_cache(app.paths.cache_dir, provider.id)
