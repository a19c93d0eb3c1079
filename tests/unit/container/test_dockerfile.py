"""The Dockerfile stays honest: pinned requirements, non-root, exec-form entry points, and every
third-party module the image's code imports is pinned in container/requirements.txt."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
DOCKERFILE = (REPO / "container" / "Dockerfile").read_text()
IMAGE_PACKAGES = [
    REPO / "container" / "drift_monitor",
    REPO / "container" / "trainer",
    # every shared package (the image copies those it imports, see below)
    *sorted(path.parent for path in (REPO / "common").glob("*/__init__.py")),
]
# import name -> distribution name where they differ
DISTRIBUTIONS = {"sklearn": "scikit-learn"}


def _stages() -> dict[str, str]:
    parts = re.split(r"^FROM .* AS (\w+)$", DOCKERFILE, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_both_targets_run_as_non_root_with_exec_form_entry_points():
    stages = _stages()
    assert {"base", "monitor", "trainer"} <= set(stages)
    assert stages["monitor"].count("USER monitor") == 1
    assert stages["trainer"].count("USER monitor") == 1
    assert 'ENTRYPOINT ["python3", "-m", "drift_monitor"]' in stages["monitor"]
    assert 'ENTRYPOINT ["python3", "-m", "trainer"]' in stages["trainer"]


def test_dependencies_come_from_the_pinned_requirements_file_only():
    installs = re.findall(r"pip install[^\n]*", DOCKERFILE)
    assert installs == ["pip install --no-cache-dir -r /app/requirements.txt"]
    assert "COPY container/requirements.txt /app/requirements.txt" in DOCKERFILE
    for line in (REPO / "container" / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][^\s]*", line), line


def test_every_copied_path_exists():
    for source in re.findall(r"^COPY (\S+) ", DOCKERFILE, flags=re.M):
        assert (REPO / source).exists(), source


def _third_party_imports() -> set[str]:
    local = {path.name for path in IMAGE_PACKAGES}
    found: set[str] = set()
    for package in IMAGE_PACKAGES:
        for path in package.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                found |= {name.split(".")[0] for name in names}
    return {name for name in found if name not in local and name not in sys.stdlib_module_names}


def test_every_shared_package_the_image_imports_is_copied_into_it():
    shared = {path.name for path in (REPO / "common").iterdir() if path.is_dir()}
    for package in IMAGE_PACKAGES:
        for path in package.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.ImportFrom)
                    and node.module
                    and node.module.split(".")[0] in shared
                ):
                    name = node.module.split(".")[0]
                    assert f"COPY common/{name} /app/{name}" in DOCKERFILE, (path, name)


def test_every_third_party_import_is_pinned():
    pinned = {
        line.split("==")[0].lower()
        for line in (REPO / "container" / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    missing = {
        name
        for name in _third_party_imports()
        if DISTRIBUTIONS.get(name, name).lower() not in pinned
    }
    assert not missing, f"imported by the image's code but not pinned: {sorted(missing)}"
