"""The secret scan is only as good as its fakes: one per manifest pattern, some no pattern knows."""

import re

from vibeusage.errors import redact
from vibeusage.providers import all_providers

from .fakes import PATTERN_SHAPED, UNKNOWN_SHAPED, core, leaks


def test_every_token_pattern_of_every_manifest_has_a_fake_of_its_shape():
    missing = []
    for provider in all_providers():
        for pattern in provider.token_patterns:
            if "PRIVATE KEY" in pattern:
                continue  # a PEM block: covered by the service-account tests of Vertex AI
            if not any(re.search(pattern, value) for value in PATTERN_SHAPED.values()):
                missing.append(f"{provider.id}: {pattern}")
    assert missing == []


def test_pattern_shaped_fakes_are_masked_without_being_registered(monkeypatch):
    monkeypatch.setattr("vibeusage.errors._KNOWN_SECRETS", set())
    text = redact(" / ".join(PATTERN_SHAPED.values()))
    assert leaks(text, PATTERN_SHAPED.values()) == []


def test_unknown_shapes_really_are_unknown_to_the_patterns(monkeypatch):
    monkeypatch.setattr("vibeusage.errors._KNOWN_SECRETS", set())
    for value in UNKNOWN_SHAPED.values():
        assert core(value) in redact(f"echoed: {value}")  # only registration can mask these


def test_the_scan_finds_a_secret_in_a_file_and_passes_its_masked_form(tmp_path):
    from vibeusage.errors import mask_secret

    from .fakes import scan_files

    secret = UNKNOWN_SHAPED["opaque_access"]
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "claude.json").write_text(f"error: {secret}")
    (tmp_path / "masked.json").write_text(mask_secret(secret))
    assert [hit.split(": ")[0] for hit in scan_files([tmp_path], [secret])] == [
        str(tmp_path / "runs" / "claude.json")
    ]
