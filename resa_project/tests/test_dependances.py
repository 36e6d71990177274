"""The import graph of the apps points one way: ``sites`` <- ``ressources`` <- ``reservations``
<- (new apps). A module of an app imports only the apps listed for it below; tests and
migrations are not walked (a test of ``ressources`` may build reservations)."""

import ast
from importlib.util import resolve_name
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

# What each app may import among the project's apps. ``resa_project`` is the shared glue
# (settings, parsers, error handler, serializer and admin bases): it imports no app.
# ``accounts`` and ``sites`` know each other (a user's main site and department; a
# department's manager, the managers' scope).
DEPENDANCES_PERMISES = {
    "resa_project": set(),
    "accounts": {"resa_project", "sites"},
    "sites": {"resa_project", "accounts"},
    "ressources": {"resa_project", "accounts", "sites"},
    "reservations": {"resa_project", "accounts", "sites", "ressources", "taches"},
    "notifications": {"resa_project", "accounts", "sites", "ressources", "reservations", "taches"},
    "calendriers": {"resa_project", "accounts", "sites", "ressources", "reservations", "taches"},
    "webhooks": {"resa_project", "accounts", "sites", "ressources", "reservations", "taches"},
    "statistiques": {"resa_project", "accounts", "sites", "ressources", "reservations", "taches"},
    "tableau": {"resa_project", "accounts", "sites", "ressources", "reservations", "taches"},
    # Infrastructure: the worker and the periodic jobs' registry; it knows no domain app
    # (the apps register their jobs into it).
    "taches": {"resa_project"},
}


def _apps_du_projet() -> set[str]:
    """The apps whose package sits at the project's root (not those of ``.venv``)."""
    racine = Path(settings.BASE_DIR)
    locales = {c.name for c in apps.get_app_configs() if Path(c.path).parent == racine}
    return locales | {"resa_project"}


def _modules(app: str):
    """``(dotted name, path)`` of every module of ``app`` but its tests and migrations."""
    dossier = Path(settings.BASE_DIR) / app
    for chemin in sorted(dossier.rglob("*.py")):
        parties = chemin.relative_to(settings.BASE_DIR).with_suffix("").parts
        if "tests" in parties or "migrations" in parties:
            continue
        if parties[-1] == "__init__":
            parties = parties[:-1]
        yield ".".join(parties), chemin


def _imports(module: str, source: str, *, paquet: bool = False):
    """``(line, imported module)`` for every import of ``source``, relative ones resolved,
    including those inside functions."""
    base = module if paquet else module.rpartition(".")[0]
    for noeud in ast.walk(ast.parse(source)):
        if isinstance(noeud, ast.Import):
            for alias in noeud.names:
                yield noeud.lineno, alias.name
        elif isinstance(noeud, ast.ImportFrom):
            nom = "." * noeud.level + (noeud.module or "")
            yield noeud.lineno, resolve_name(nom, base) if noeud.level else nom


def _violations(app: str, projet: set[str]) -> list[str]:
    permises = DEPENDANCES_PERMISES[app] | {app}
    violations = []
    for module, chemin in _modules(app):
        source = chemin.read_text(encoding="utf-8")
        for ligne, importe in _imports(module, source, paquet=chemin.name == "__init__.py"):
            cible = importe.split(".")[0]
            if cible in projet and cible not in permises:
                violations.append(f"{chemin.relative_to(settings.BASE_DIR)}:{ligne} {importe}")
    return violations


def test_every_app_of_the_project_says_what_it_may_import():
    assert _apps_du_projet() == set(DEPENDANCES_PERMISES)


def test_the_allowed_imports_keep_the_chain_one_way():
    assert "reservations" not in DEPENDANCES_PERMISES["ressources"]
    assert not {"ressources", "reservations"} & DEPENDANCES_PERMISES["sites"]
    assert not {"ressources", "reservations"} & DEPENDANCES_PERMISES["accounts"]
    assert not DEPENDANCES_PERMISES["resa_project"]


@pytest.mark.parametrize("app", sorted(DEPENDANCES_PERMISES))
def test_modules_of_an_app_import_only_the_apps_it_may_depend_on(app):
    assert list(_modules(app)), f"no module found for {app}"
    assert _violations(app, _apps_du_projet()) == []


def test_relative_imports_are_resolved_from_the_module_package():
    source = "from ...models import Reservation\nfrom . import base\nimport ressources.models\n"
    imports = [nom for _, nom in _imports("reservations.management.commands.seed", source)]
    assert imports == [
        "reservations.models",
        "reservations.management.commands",
        "ressources.models",
    ]


def test_an_import_inside_a_function_counts():
    source = "def f():\n    from reservations import occupation\n"
    assert [nom for _, nom in _imports("ressources.views", source)] == ["reservations"]
