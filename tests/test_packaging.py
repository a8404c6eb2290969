"""The top-level folders install as one namespace, wafops.scanner / wafops.collectors / wafops.rules.

setuptools maps each folder with `package-dir` and needs every package listed by hand: a package folder
missing from the list would be left out of a wheel (an editable install would still work, so nothing
else would notice)."""

from __future__ import annotations

import tomllib
from importlib.metadata import entry_points
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"wafops.scanner": "scanner", "wafops.collectors": "collectors", "wafops.rules": "rules"}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_package_folder_is_listed_under_the_wafops_namespace():
    setup = _pyproject()["tool"]["setuptools"]
    assert setup["package-dir"] == FOLDERS
    on_disk = {f"wafops.{'.'.join(p.parent.relative_to(ROOT).parts)}"
               for folder in FOLDERS.values() for p in (ROOT / folder).rglob("__init__.py")}
    assert set(setup["packages"]) == on_disk


def test_entry_points_and_script_name_wafops_modules():
    project = _pyproject()["project"]
    assert project["scripts"]["wafops"].startswith("wafops.scanner.")
    declared = [v for group in ("wafops.collectors", "wafops.targets")
                for v in project["entry-points"][group].values()]
    assert declared and all(v.startswith("wafops.collectors.") for v in declared)
    installed = {ep.value for ep in entry_points(group="wafops.collectors") if ep.dist and ep.dist.name == "wafops"}
    assert installed == set(project["entry-points"]["wafops.collectors"].values())


def test_package_data_is_declared_for_the_namespaced_packages():
    data = _pyproject()["tool"]["setuptools"]["package-data"]
    for pkg, patterns in data.items():
        folder = ROOT / FOLDERS[pkg]
        for pattern in patterns:
            assert list(folder.glob(pattern)), f"{pkg}: {pattern} matches no file"
