"""Each library package's face: `__all__` lists its public names, every one resolves, and a
lazy face's typed imports and its table of homes name the same things (each spelled once)."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("package", ["acd", "cdr", "simulations"])
def test_every_public_name_resolves(package: str) -> None:
    module = importlib.import_module(package)
    assert len(set(module.__all__)) == len(module.__all__)
    for name in module.__all__:
        assert getattr(module, name) is not None, name


@pytest.mark.parametrize("package", ["cdr", "simulations"])
def test_a_lazy_face_types_what_it_loads(package: str) -> None:
    module = importlib.import_module(package)
    source = Path(module.__file__ or "").read_text(encoding="utf-8")
    typed: dict[str, str] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for stmt in node.body:
                assert isinstance(stmt, ast.ImportFrom) and stmt.module
                for alias in stmt.names:
                    assert alias.asname == alias.name  # an explicit re-export
                    typed[alias.name] = stmt.module
    assert typed == module._HOMES


def test_a_lazy_face_loads_nothing_heavy_until_asked() -> None:
    probe = ("import sys, cdr, simulations; from cdr import kpis; from simulations import erlang_a;"
             " print(sorted(m for m in ('sqlalchemy', 'numpy', 'acd') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
