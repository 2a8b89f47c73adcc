"""Data migrations run on databases of every age, so they use only frozen code: the historical
models `apps` hands them and helpers copied into the migration file. Importing the apps' code
would let a later change to it break (or silently change) `migrate` on an old database."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUR_APPS = {"articles", "interviews", "comments", "newsroom"}


def parsed(path):
    return ast.parse(path.read_text(encoding="utf-8"))


def runs_python(tree):
    return any(isinstance(node, ast.Attribute) and node.attr == "RunPython"
               for node in ast.walk(tree))


# (Schema migrations may name the apps' callables, such as an upload_to function.)
DATA_MIGRATIONS = sorted(
    path for app in ("articles", "interviews", "comments")
    for path in (ROOT / app / "migrations").glob("0*.py") if runs_python(parsed(path))
)


def imported_modules(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield "." * node.level + (node.module or "")


def test_every_app_s_data_migrations_are_checked():
    names = {f"{path.parent.parent.name}/{path.stem}" for path in DATA_MIGRATIONS}
    assert {"articles/0002_create_roles", "articles/0003_search", "interviews/0002_create_roles",
            "interviews/0003_search", "comments/0002_roles"} <= names


@pytest.mark.parametrize("path", DATA_MIGRATIONS,
                         ids=lambda path: f"{path.parent.parent.name}/{path.stem}")
def test_a_data_migration_imports_none_of_our_apps(path):
    ours = [name for name in imported_modules(parsed(path))
            if name.startswith(".") or name.split(".")[0] in OUR_APPS]
    assert ours == []
