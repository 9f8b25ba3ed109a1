"""The arrows between MWO's packages point inward: faces (cli, api, ui) build things, inner packages
do not know them. Read from the source with ast, every import counted (module level, inside
functions and under TYPE_CHECKING alike), so a new arrow the wrong way fails here, not in review.

The allow-list is the table "What each package may import" in docs/architecture.md.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"

FACES = frozenset({"cli", "api", "ui", "__main__"})
"""Where people and programs come in; they build the app, the server and the services."""

ALLOWED: dict[str, frozenset[str]] = {
    "errors": frozenset(),
    "clock": frozenset(),
    "nesting": frozenset(),
    "text": frozenset(),
    "settings_file": frozenset({"errors"}),
    "settings": frozenset({"settings_file"}),
    "spec": frozenset({"errors", "nesting"}),
    "sandbox": frozenset({"errors"}),
    "store": frozenset({"clock", "errors", "settings", "spec"}),
    "auth": frozenset({"clock", "errors", "store"}),
    "views": frozenset({"store"}),
    "knowledge": frozenset({"clock", "errors", "settings"}),
    "llm": frozenset({"clock", "errors", "settings", "store"}),
    "healing": frozenset({"clock", "llm", "sandbox", "settings", "spec", "store", "validation"}),
    "engine": frozenset(
        {"clock", "errors", "healing", "llm", "nesting", "sandbox", "settings", "spec", "store", "text"}
    ),
    "triggers": frozenset({"engine", "errors", "spec", "store"}),
    "validation": frozenset({"clock", "engine", "errors", "sandbox", "settings", "spec", "triggers"}),
    "authoring": frozenset(
        {
            "clock",
            "engine",
            "errors",
            "healing",
            "knowledge",
            "llm",
            "sandbox",
            "settings",
            "spec",
            "store",
            "triggers",
            "validation",
        }
    ),
    "management": frozenset(
        {"clock", "engine", "errors", "settings", "settings_file", "spec", "store", "triggers", "validation"}
    ),
    "services": frozenset(
        {
            "authoring",
            "clock",
            "engine",
            "knowledge",
            "llm",
            "management",
            "sandbox",
            "settings",
            "spec",
            "store",
            "triggers",
            "validation",
        }
    ),
    "workers": frozenset({"clock", "engine", "errors", "services", "settings", "store", "triggers"}),
}
"""Inner package -> the MWO packages it may import (besides itself). Faces may import anything."""


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted((SRC / "mwo").rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def _imports(path: Path) -> set[str]:
    """Every absolute `mwo.*` module the file imports, wherever the import statement is."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("mwo.")}


def _package(module: str) -> str:
    return module.split(".")[1] if "." in module else module


def _arrows() -> dict[str, set[tuple[str, str]]]:
    """Package -> (importing module, imported package) for every import that leaves the package."""
    arrows: dict[str, set[tuple[str, str]]] = {}
    for module, path in _modules():
        own = _package(module)
        for imported in _imports(path):
            target = _package(imported)
            if target != own:
                arrows.setdefault(own, set()).add((module, target))
    return arrows


@pytest.fixture(scope="module")
def arrows() -> dict[str, set[tuple[str, str]]]:
    return _arrows()


def test_every_package_is_placed() -> None:
    """A new package must be given its place (and its row in docs/architecture.md)."""
    packages = {_package(module) for module, _ in _modules()} - {"mwo"}
    assert packages - FACES - set(ALLOWED) == set()


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_inner_packages_import_only_what_they_may(
    package: str, arrows: dict[str, set[tuple[str, str]]]
) -> None:
    wrong = sorted(
        f"{module} imports mwo.{target}"
        for module, target in arrows.get(package, set())
        if target not in ALLOWED[package] and target != "mwo"
    )
    assert wrong == []


def test_no_inner_package_knows_a_face(arrows: dict[str, set[tuple[str, str]]]) -> None:
    wrong = sorted(
        f"{module} imports mwo.{target}"
        for package, leaving in arrows.items()
        if package not in FACES
        for module, target in leaving
        if target in FACES
    )
    assert wrong == []


def test_sandbox_modules_form_no_cycle() -> None:
    """Within the sandbox the arrows form a tree (egress uses the policy, not the other way round)."""
    graph = {
        module: {imported for imported in _imports(path) if imported.startswith("mwo.sandbox.")}
        for module, path in _modules()
        if module.startswith("mwo.sandbox.")
    }
    graph = {module: {target for target in targets if target in graph} for module, targets in graph.items()}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(
            target == goal or (target not in seen and reaches(target, goal, seen | {target}))
            for target in graph[start]
        )

    assert sorted(module for module in graph if reaches(module, module, set())) == []
