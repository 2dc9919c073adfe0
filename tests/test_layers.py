"""The layering of docs/architecture.md holds: import-linter's contracts (pyproject.toml) are kept,
and no module below the interfaces imports Django's HTTP layer (import-linter cannot name a
part of an external package, so that rule is read from the source here)."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INTERFACES = {"web", "api", "open311", "management", "cli", "interfaces.py", "urls.py", "wsgi.py", "settings.py"}
HTTP = ("django.http", "django.shortcuts")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_import_linter_contracts_are_kept():
    result = subprocess.run([Path(sys.executable).parent / "lint-imports"], cwd=ROOT, capture_output=True, text=True,  # noqa: S603
                            check=False)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


def test_nothing_below_the_interfaces_imports_django_http():
    offenders = []
    for path in sorted((ROOT / "saferplace").rglob("*.py")):
        parts = set(path.relative_to(ROOT / "saferplace").parts)
        if parts & INTERFACES or "migrations" in parts:
            continue
        if any(name == module or name.startswith(module + ".") for name in _imports(path) for module in HTTP):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_no_importer_module_imports_the_registry_above_it():
    """The package (`importers/__init__.py`) registers the importers with `base`; a module inside
    it may import its sibling modules but never a name from the package itself."""
    package = ROOT / "saferplace" / "incidents" / "importers"
    siblings = {path.stem for path in package.glob("*.py")}
    offenders = []
    for path in sorted(package.glob("*.py")):
        if path.name == "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "saferplace.incidents.importers":
                offenders += [f"{path.name}: {alias.name}" for alias in node.names if alias.name not in siblings]
    assert offenders == []
