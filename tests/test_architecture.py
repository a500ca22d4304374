"""The shape of the package: layers that import downward only, no cycles, no reaching into
another module's private names, a public API that shadows no submodule, commands that load
only what they use, and numpy-style docstrings on every public function."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import loc

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "loc"


def _modules() -> list[str]:
    names = ["loc"]
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="loc."):
        if info.name.endswith("__main__"):
            continue
        names.append(info.name)
    return sorted(names)


def _source(module: str) -> Path:
    path = PACKAGE.joinpath(*module.split(".")[1:])
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def _imports(module: str) -> list[tuple[str, list[str], bool]]:
    """(imported module, names, inside TYPE_CHECKING) of every import in a module."""
    tree = ast.parse(_source(module).read_text(encoding="utf-8"))
    out = []
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            typing_only |= {id(n) for n in ast.walk(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, [a.name for a in node.names], id(node) in typing_only))
        elif isinstance(node, ast.Import):
            out += [(a.name, [], id(node) in typing_only) for a in node.names]
    return out


def test_layers_contract_holds():
    exe = shutil.which("lint-imports")
    if exe is None:
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    r = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stdout[-2000:]
    assert "3 kept, 0 broken" in r.stdout


def test_every_module_is_in_a_layer():
    """A new top-level module must be placed in the layers contract, or it escapes it."""
    import tomllib

    layers = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
        "contracts"][0]["layers"]
    placed = {name.strip() for layer in layers for name in layer.split("|")}
    top = {m.split(".")[1] for m in _modules() if m != "loc"}
    assert {f"loc.{t}" for t in top} <= placed, sorted({f"loc.{t}" for t in top} - placed)


def test_no_import_cycles():
    modules = set(_modules())
    graph: dict[str, set[str]] = {}
    for m in modules:
        deps = set()
        for imp, names, typing in _imports(m):
            if typing or not imp.startswith("loc"):
                continue
            # "from loc.x import y" imports the module loc.x.y when there is one
            subs = {f"{imp}.{n}" for n in names if f"{imp}.{n}" in modules}
            deps |= subs or ({imp} & modules)
        graph[m] = deps - {m}
    seen: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        seen[m] = 1
        stack.append(m)
        for d in sorted(graph[m]):
            if seen.get(d) == 1:
                cycle = stack[stack.index(d):] + [d]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if d not in seen:
                visit(d)
        stack.pop()
        seen[m] = 2

    for m in sorted(graph):
        if m not in seen:
            visit(m)


def test_no_module_imports_another_modules_private_names():
    found = []
    for m in _modules():
        for imp, names, _ in _imports(m):
            if imp.startswith("loc"):
                found += [f"{m}: from {imp} import {n}" for n in names
                          if n.startswith("_") and n != "__version__"]
            if any(part.startswith("_") for part in imp.split(".")[1:]):
                found.append(f"{m}: imports the private module {imp}")
    assert found == []


def test_public_names_shadow_no_submodule():
    submodules = {info.name for info in pkgutil.iter_modules([str(PACKAGE)])}
    assert not submodules & set(loc.__all__)
    for name in loc.__all__:
        assert getattr(loc, name) is not None
    # importing a submodule gives a module, and the README's entry points are functions
    assert inspect.ismodule(importlib.import_module("loc.analysis.timeline"))
    assert callable(loc.timeline) and callable(loc.render) and callable(loc.diff)
    with pytest.raises(AttributeError):
        _ = loc.no_such_name


def _loaded_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys, json\n"
                          "print(json.dumps(sorted(sys.modules)))"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_help_and_stats_load_neither_folium_nor_matplotlib():
    helped = _loaded_after("from click.testing import CliRunner\nfrom loc.cli import cli\n"
                           "assert CliRunner().invoke(cli, ['--help']).exit_code == 0")
    assert not {"folium", "matplotlib", "geopandas", "shapely", "requests"} & helped
    assert not [m for m in helped if m.startswith("loc.cli.") and m != "loc.cli.options"]
    sample = loc.sample_paths()[-1]
    stats = _loaded_after("from click.testing import CliRunner\nfrom loc.cli import cli\n"
                          f"r = CliRunner().invoke(cli, ['stats', {str(sample)!r}])\n"
                          "assert r.exit_code == 0, r.output")
    assert "geopandas" in stats  # it did the work
    assert not {"folium", "matplotlib", "branca", "jinja2", "requests"} & stats


def _overrides(cls: type, attr: str) -> bool:
    """Whether a method overrides one of a base class from another library (click's)."""
    return any(hasattr(base, attr) for base in cls.__mro__[1:]
               if not base.__module__.startswith("loc"))


def _third_party_init(obj) -> bool:
    """A class whose constructor is another library's (a click group, say)."""
    return inspect.isclass(obj) and "__init__" not in vars(obj) and _overrides(obj, "__init__")


def _public_functions():
    """Every public function and class of loc, and the public methods loc defines (not the
    overrides of another library's methods, such as click's)."""
    for m in _modules():
        module = importlib.import_module(m)
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != m:
                continue
            if inspect.isfunction(obj):
                yield f"{m}.{name}", obj
            elif inspect.isclass(obj):
                yield f"{m}.{name}", obj
                for attr, member in vars(obj).items():
                    if (not attr.startswith("_") and inspect.isfunction(member)
                            and not _overrides(obj, attr)):
                        yield f"{m}.{name}.{attr}", member


def test_numpydoc_parameters_and_returns_on_every_public_function():
    from numpydoc.validate import validate

    codes = {"GL08": "no docstring", "PR01": "parameters not documented",
             "PR02": "unknown parameters documented", "RT01": "no Returns section"}
    problems = []
    for qualname, obj in _public_functions():
        if inspect.isclass(obj) and issubclass(obj, Exception):
            continue
        result = validate(qualname)
        documented_fields = inspect.isclass(obj) and "Attributes\n" in (obj.__doc__ or "")
        for code, message in result["errors"]:
            if code not in codes or (inspect.isclass(obj) and code == "RT01"):
                continue
            if code == "PR01" and (documented_fields or _third_party_init(obj)):
                continue  # a dataclass documents its fields as Attributes
            problems.append(f"{qualname}: {code} {message}")
    assert problems == [], "\n".join(problems[:40])
