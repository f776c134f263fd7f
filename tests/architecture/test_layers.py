"""The layer contract (docs/contributing.md): core is the ground floor; engines know no Django.

Walks every module's imports with ``ast`` (top-level and function-level imports alike), so a lazy
``from kechuang.needs.models import Need`` inside a function breaks the contract just as loudly.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "kechuang"

# (package that is constrained, import prefixes it may not use, prefixes allowed despite that)
CONTRACTS = [
    ("kechuang/core", ("kechuang.",), ("kechuang.core",)),
    ("kechuang/matching/engine", ("kechuang.", "django", "ninja"), ("kechuang.matching.engine",)),
    ("kechuang/events/scheduling", ("kechuang.", "django", "ninja"), ("kechuang.events.scheduling",)),
]


def imported_names(source: str, module: str) -> list[tuple[int, str]]:
    """Every module name ``source`` imports, relative imports resolved against ``module``."""
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: -node.level]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            names.append((node.lineno, name))
    return sorted(names)


def violations(root: Path, folder: str, forbidden: tuple[str, ...], allowed: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((root / folder).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        rel = path.relative_to(root)
        module = ".".join(rel.with_suffix("").parts)
        for line, name in imported_names(path.read_text(encoding="utf-8"), module):
            bad = any(name == f.rstrip(".") or name.startswith(f) for f in forbidden)
            ok = any(name == a or name.startswith(a + ".") for a in allowed)
            if bad and not ok:
                found.append(f"{rel}:{line} imports {name}")
    return found


@pytest.mark.parametrize(("folder", "forbidden", "allowed"), CONTRACTS, ids=[c[0] for c in CONTRACTS])
def test_layer_contract(folder, forbidden, allowed):
    assert (ROOT / folder).is_dir()
    assert violations(ROOT, folder, forbidden, allowed) == []


def test_checker_sees_lazy_and_relative_imports(tmp_path):
    """The checker itself must catch what it claims to (a contract that cannot fail proves nothing)."""
    pkg = tmp_path / "kechuang" / "core"
    pkg.mkdir(parents=True)
    (pkg / "bad.py").write_text(
        "from kechuang.core import errors\n"
        "def f():\n    from kechuang.needs.models import Need\n"
        "from ..needs import selectors\n",
        encoding="utf-8",
    )
    found = violations(tmp_path, "kechuang/core", ("kechuang.",), ("kechuang.core",))
    assert found == [
        "kechuang/core/bad.py:3 imports kechuang.needs.models",
        "kechuang/core/bad.py:4 imports kechuang.needs",
    ]


def test_every_app_states_its_access_rules():
    """Each app with models decides who sees them in its own ``access_rules.py`` (not in core)."""
    for models in sorted(PKG.glob("*/models.py")) + sorted(PKG.glob("*/models/__init__.py")):
        app = models.parent if models.name == "models.py" else models.parent.parent
        source = models.read_text(encoding="utf-8")
        if "models.Model)" not in source and "AbstractUser)" not in source:
            continue
        if app.name == "core":
            continue  # core's own model (the audit trail) has its rule in core/access.py
        assert (app / "access_rules.py").exists(), f"{app.name} has models but no access_rules.py"
