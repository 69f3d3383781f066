"""Apps do not import each other in a circle (ARCHITECTURE.md "Principles").

Every import in huican/**.py counts — at module level and inside functions alike — and an app is the
first package below ``huican`` (``huican.exchange.views`` belongs to ``exchange``). Where a lower app
needs a higher one, it declares a hook (``huican.core.hooks``) or a signal that the higher app
connects in its AppConfig.ready().
"""

from __future__ import annotations

import ast
import itertools
from collections import defaultdict
from pathlib import Path

import huican

ROOT = Path(huican.__file__).parent
APPS = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}


def _imported_modules(tree: ast.AST, module: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importing module's package
                base = module.split(".")[: -node.level]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
            found += [(node.lineno, f"{name}.{alias.name}") for alias in node.names]
    return found


def app_imports() -> dict[str, dict[str, list[str]]]:
    """app → imported app → where (``path:line``), over every import in every module of the app."""
    edges: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if len(parts) < 2 or parts[0] not in APPS:
            continue
        app = parts[0]
        module = ".".join(("huican", *parts))
        for line, name in _imported_modules(ast.parse(path.read_text(encoding="utf-8")), module):
            target = name.split(".")
            if len(target) > 1 and target[0] == "huican" and target[1] in APPS and target[1] != app:
                edges[app][target[1]].append(f"{path.relative_to(ROOT.parent)}:{line}")
    return edges


def find_cycle(edges: dict[str, dict[str, list[str]]]) -> list[str] | None:
    """One cycle of apps (the first found, as a path that returns to its start), or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(app: str) -> list[str] | None:
        state[app] = 1
        path.append(app)
        for other in sorted(edges.get(app, {})):
            if state.get(other) == 1:
                return [*path[path.index(other) :], other]
            if other not in state and (cycle := visit(other)):
                return cycle
        path.pop()
        state[app] = 2
        return None

    for app in sorted(edges):
        if app not in state and (cycle := visit(app)):
            return cycle
    return None


def test_no_import_cycle_between_apps() -> None:
    edges = app_imports()
    cycle = find_cycle(edges)
    if cycle:
        where = [f"{a} → {b}: {', '.join(edges[a][b][:3])}" for a, b in itertools.pairwise(cycle)]
        raise AssertionError("apps import each other in a circle:\n" + "\n".join(where))


def test_the_walk_sees_imports_inside_functions() -> None:
    """The check itself: an import inside a function counts, and a two-app circle is found."""
    tree = ast.parse("def f():\n    from huican.policy.rules import explain_person\n")
    assert (2, "huican.policy.rules") in _imported_modules(tree, "huican.registry.selectors")
    relative = ast.parse("from ..policy import rules\n")
    assert (1, "huican.policy") in _imported_modules(relative, "huican.registry.selectors")
    assert find_cycle({"a": {"b": ["x"]}, "b": {"a": ["y"]}}) == ["a", "b", "a"]
    assert find_cycle({"a": {"b": ["x"]}, "b": {"c": ["y"]}}) is None


def test_core_imports_no_other_app() -> None:
    assert not app_imports().get("core"), "core is the bottom layer: it imports no other app"


# The direction of the dependencies (README "Layout"): an app imports only apps before it.
LAYERS = (
    "core",
    "regions",
    "accounts",
    "registry",
    "exchange",
    "policy",
    "matching",
    "benefits",
    "care",
    "employment",
    "monitoring",
    "portal",
)


def test_apps_import_only_lower_layers() -> None:
    edges = app_imports()
    upward = [
        f"{app} → {other}: {', '.join(where[:3])}"
        for app in LAYERS
        for other, where in edges.get(app, {}).items()
        if other in LAYERS and LAYERS.index(other) > LAYERS.index(app)
    ]
    assert not upward, "a lower app imports a higher one:\n" + "\n".join(upward)
