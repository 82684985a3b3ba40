"""One direction of dependency (shared/DESIGN.md §4): `notices` and `supplies` use
`coordination`; no module of `coordination` imports either, not even inside a function."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("notices", "supplies")


def imported_modules(source: str) -> list[tuple[int, str]]:
    """(line, module) of every import in the source: statements at any depth, and
    `import_module("…")` / `__import__("…")` calls with a literal name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def forbidden_imports(source: str) -> list[tuple[int, str]]:
    return [
        (line, module)
        for line, module in imported_modules(source)
        if any(module == app or module.startswith(f"{app}.") for app in FORBIDDEN)
    ]


def test_no_module_of_coordination_imports_notices_or_supplies():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted((ROOT / "coordination").rglob("*.py"))
        for line, module in forbidden_imports(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "source",
    [
        "from notices.circulars.rendering import get_renderer",
        "def render():\n    from notices.circulars import rendering\n",
        "import notices.models",
        "import importlib\nimportlib.import_module('notices.circulars.rendering')",
        "from supplies.models import Pledge",
    ],
)
def test_the_scan_finds_an_import_wherever_it_hides(source):
    assert forbidden_imports(source)


@pytest.mark.parametrize(
    "source",
    ["from coordination import documents", "from . import notices", "import noticesboard", "x = 'notices'"],
)
def test_the_scan_leaves_other_imports_alone(source):
    assert forbidden_imports(source) == []


# --- no shared file names a mechanism (the registry is the only way in) -------------------------

SHARED_PYTHON = [
    path
    for folder in ("coordination", "notices", "config")
    for path in sorted((ROOT / folder).rglob("*.py"))
    if "mechanisms" not in path.relative_to(ROOT).parts[1:2]
    and "migrations" not in path.parts
    # INSTALLED_APPS names each mechanism's package: the one line a new mechanism adds.
    and path != ROOT / "config" / "settings.py"
]
SHARED_TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


def mechanism_words() -> list[str]:
    """What would name a registered mechanism in code: its package, resource, model, app label,
    URL names and templates folder."""
    from coordination.workflow import mechanisms

    words = []
    for declaration in mechanisms.registered():
        meta = declaration.model._meta
        words += [
            declaration.model.__module__.rsplit(".", 1)[0],
            declaration.resource,
            declaration.model.__name__,
            f"{meta.app_label}.{meta.model_name}",
            f"{meta.app_label}/",
            declaration.api_basename() + "-",
        ]
    return words


def test_no_shared_module_imports_a_mechanism_package():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in SHARED_PYTHON
        for line, module in imported_modules(path.read_text(encoding="utf-8"))
        if module.startswith(("coordination.mechanisms.", "tests.mechanisms."))
    ]
    assert offenders == []


def test_no_shared_code_or_template_names_a_mechanism():
    """Outside comments and docstrings: string literals of shared Python code, and template
    text outside `{# #}` comments."""
    words = mechanism_words()
    offenders = []
    for path in SHARED_PYTHON:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "\n" not in node.value:
                offenders += [f"{path.relative_to(ROOT)}:{node.lineno}: {w}" for w in words if w in node.value]
    for path in SHARED_TEMPLATES:
        import re

        text = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"))
        offenders += [f"{path.relative_to(ROOT)}: {w}" for w in words if w in text]
    assert offenders == []


def test_the_platforms_models_import_nothing_of_the_workflow():
    """Models below, the engine above: coordination.models (and the platform services' models)
    never import coordination.workflow, so the two cannot import each other in a cycle."""
    model_files = [
        *sorted((ROOT / "coordination" / "models").glob("*.py")),
        ROOT / "coordination" / "calendar" / "models.py",
        ROOT / "coordination" / "pii" / "models.py",
    ]
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in model_files
        for line, module in imported_modules(path.read_text(encoding="utf-8"))
        if module.startswith("coordination.workflow")
    ]
    assert offenders == []
