"""The house's import direction (docs/ARCHITECTURE.md), checked by reading every module's imports."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "chronos"

# room -> rooms it must never import (the direction: web/cli -> services -> models/ai -> db/config)
FORBIDDEN = {
    "models": {"web", "cli", "operations", "rag", "pipeline", "whop", "ai", "services", "server", "backup"},
    "ai": {"web", "cli", "operations", "rag", "pipeline", "whop", "services", "server"},
    "pipeline": {"web", "cli", "operations", "rag", "services", "server"},
    "rag": {"web", "cli", "operations", "services", "server"},
    "whop": {"web", "cli", "operations", "services", "server"},
    "operations": {"web", "cli", "server"},
    "backup": {"web", "cli", "operations"},
    "db": {"web", "cli", "operations", "rag", "pipeline", "whop", "ai", "services"},
    "config": {"web", "cli", "operations", "rag", "pipeline", "whop", "ai", "models", "db", "services"},
    "turns": {"web", "cli", "operations", "rag", "pipeline", "whop", "ai", "models", "db", "services", "server",
              "config"},
}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py"))


def _room(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 else rel.stem


def _imports(path: Path) -> set[str]:
    """Every module name the file imports, at any depth (lazy imports inside functions count)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def _chronos_rooms(names: set[str]) -> set[str]:
    return {n.split(".")[1] for n in names if n.startswith("chronos.") and n.count(".") >= 1}


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_flow_one_way(path: Path):
    room = _room(path)
    imported = _imports(path)
    rooms = _chronos_rooms(imported)
    if room not in ("web", "__init__"):  # create_app (chronos/__init__.py) builds the web app
        assert "web" not in rooms, f"{path.relative_to(PACKAGE)} imports chronos.web"
    if room not in ("web", "__init__", "server"):  # server.py serves the app Werkzeug-style
        # werkzeug.security is only a password hash, with no request or app in it.
        flask = {n for n in imported if n.split(".")[0] in ("flask", "flask_sock", "werkzeug")
                 and not n.startswith("werkzeug.security")}
        assert not flask, f"{path.relative_to(PACKAGE)} imports {sorted(flask)}: Flask stays in chronos/web"
    bad = rooms & FORBIDDEN.get(room, set())
    assert not bad, f"{path.relative_to(PACKAGE)} ({room}) imports {sorted(bad)} against the direction"


def test_sql_only_in_models_and_db():
    """Nothing outside chronos/models and chronos/db.py runs SQL on a connection."""
    offenders = []
    for path in _modules():
        room = _room(path)
        if room in ("models", "db"):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("execute", "executemany", "executescript")):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not offenders, f"SQL outside chronos/models: {offenders}"
