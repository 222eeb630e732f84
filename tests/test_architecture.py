"""The import graph points down only (issue 9), read from the source with ``ast``, not by importing it.

    newsroom (the config package: settings, page cache, shared helpers)  <-  entities  <-  articles

- ``newsroom`` imports no app; ``entities`` imports nothing from ``articles`` and does not reach it
  by reflection (``related_model``); no cycle between modules;
- the importer (``articles/importing``) and the pure story-format module import no model.

Checks that wait for another helper's refactor are ``xfail(strict=True)`` with the owner's name:
when the refactor lands they pass, strict makes them fail, and the marker is removed.
"""

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("newsroom", "articles", "entities")
MODEL_MODULES = ("django.db.models",)


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules():
    """{module name: path} of every Python module of the project's packages."""
    return {module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def _resolve(module, node):
    """The absolute names a ``from ... import`` names: the module, and ``module.name`` for each name."""
    if node.level:
        package = module.split(".")
        if not modules()[module].name == "__init__.py":
            package = package[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join(package + ([node.module] if node.module else []))
    else:
        base = node.module
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


@cache
def imports(module):
    """Every name ``module`` imports, at any depth (inside functions too: a lazy import is an arrow)."""
    tree = ast.parse(modules()[module].read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.update(_resolve(module, node))
    return names


def project_imports(module):
    """The project modules ``module`` imports (``from pkg import mod`` counts as importing ``pkg.mod``)."""
    known = modules()
    return {name for name in imports(module) if name in known and name != module}


def in_package(name, package):
    return name == package or name.startswith(package + ".")


def arrows(source_package, target_package, *, skip=()):
    return sorted((m, name) for m in modules() if in_package(m, source_package) and m not in skip
                  for name in imports(m) if in_package(name, target_package))


def cycles():
    """Strongly connected groups of more than one module (Tarjan), as sorted lists."""
    graph = {m: project_imports(m) for m in modules()}
    index, low, stack, on_stack, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for m in graph:
        if m not in index:
            visit(m)
    return sorted(out)


def test_the_graph_reader_sees_the_project():
    assert {"newsroom.settings", "articles.models", "entities.models", "articles.views"} <= set(modules())
    assert "entities.models" in project_imports("articles.models.stories")


def test_newsroom_imports_no_app():
    assert arrows("newsroom", "articles") == [] and arrows("newsroom", "entities") == []


def test_entities_imports_nothing_from_articles():
    assert arrows("entities", "articles") == []


def reflection_sites(package):
    return sorted(m for m in modules() if in_package(m, package)
                  and "related_model" in modules()[m].read_text(encoding="utf-8"))


def test_entities_reader_side_reaches_no_story_by_reflection():
    h2 = ("entities.models", "entities.admin", "entities.services")
    mine = [m for m in reflection_sites("entities") if m not in h2]
    assert mine == []


def test_entities_reaches_no_story_by_reflection():
    assert reflection_sites("entities") == []


def model_imports(package):
    return sorted((m, name) for m in modules() if in_package(m, package) for name in imports(m)
                  if any(in_package(name, t) for t in MODEL_MODULES)
                  or name.endswith(".models") and in_package(name.rsplit(".models", 1)[0], name.split(".")[0])
                  or name in ("articles.models", "entities.models"))


def test_importer_imports_no_model_outside_the_story_module():
    assert [(m, n) for m, n in model_imports("articles.importing") if m != "articles.importing.story"] == []


def test_story_format_module_imports_no_model():
    assert [(m, n) for m, n in model_imports("articles.importing") if m == "articles.importing.story"] == []


def test_no_import_cycle():
    assert cycles() == []


def test_no_import_cycle_outside_the_models_services_story_circle():
    h2 = {"articles.models", "articles.services", "articles.importing.story"}
    assert [group for group in cycles() if not set(group) & h2] == []
