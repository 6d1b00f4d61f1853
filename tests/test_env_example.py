"""`.env.example` documents every setting and is itself a valid configuration."""

from __future__ import annotations

from pathlib import Path

from models.settings import Settings

EXAMPLE = Path(__file__).parents[1] / ".env.example"


def test_every_setting_is_documented() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"COURTVAL_{name.upper()}=" not in text]
    assert not missing


def test_example_parses_to_the_defaults() -> None:
    example = Settings(_env_file=EXAMPLE)  # type: ignore[call-arg]
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert example.serve_kinds == defaults.serve_kinds
    assert example.relief_causes == defaults.relief_causes
    assert example.tier_able_probability == defaults.tier_able_probability
