# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the collection tarball users install holds: the collection and its lab, no development files.

galaxy.yml's build_ignore decides it; this test builds the tarball with ansible-galaxy, as a release does, and
reads its file list.
"""

from __future__ import annotations

import subprocess
import tarfile
from pathlib import PurePosixPath

import pytest

from .conftest import BIN, REPO

# Files and folders that only serve development of this checkout; none may ship.
DEVELOPMENT_ONLY = (
    "ansible.cfg",  # makes the checkout a collection (.build/collections) and points at ./lab
    ".ansible-lint",
    ".gitignore",
    ".gitattributes",
    "pyproject.toml",
    "requirements-dev.txt",
    "execution-environment.yml",  # builds the image from this checkout's .build/ee tarball
    "requirements.yml",
    "scripts",
    "benchmarks",
    "tests",
    ".ci",
    ".build",
    ".venv",
    ".git",
    "lab",
    "reports",
    "context",
    "changelogs/fragments",
)
CACHES = ("__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache", ".hypothesis")
# What users need from the tarball besides plugins and roles.
REQUIRED = (
    "MANIFEST.json",
    "FILES.json",
    "README.md",
    "meta/runtime.yml",
    "meta/execution-environment.yml",
    "requirements.txt",
    "bindep.txt",
    "changelogs/changelog.yaml",
)


def git_files(*pathspec: str) -> set[str]:
    listing = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z", "--", *pathspec],
                             capture_output=True, text=True, check=True).stdout
    return {name for name in listing.split("\0") if name}


@pytest.fixture(scope="module")
def members(tmp_path_factory) -> set[str]:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(out), str(REPO)],
                   check=True, capture_output=True, cwd=out, timeout=600)
    (tarball,) = out.glob("ctxlic-license_server-*.tar.gz")
    with tarfile.open(tarball) as archive:
        return {member.name.rstrip("/") for member in archive.getmembers() if member.isfile()}


def test_no_development_file_ships(members):
    shipped = []
    for name in sorted(members):
        path = PurePosixPath(name)
        for entry in DEVELOPMENT_ONLY:
            if name == entry or path.is_relative_to(entry):
                shipped.append(name)
        if set(path.parts) & set(CACHES) or path.suffix == ".pyc":
            shipped.append(name)
    assert not shipped, f"development-only files in the tarball: {shipped[:20]}"


def test_the_lab_ships_whole(members):
    lab = {name for name in git_files("plugins/plugin_utils/lab") if "__pycache__" not in name}
    assert "plugins/plugin_utils/lab/cli.py" in lab
    missing = sorted(lab - members)
    assert not missing, f"lab files missing from the tarball: {missing}"


def test_the_collection_ships_whole(members):
    assert set(REQUIRED) <= members, sorted(set(REQUIRED) - members)
    # Every tracked file of the collection's own folders ships.
    content = git_files("plugins", "roles", "playbooks", "meta", "docs")
    missing = sorted(content - members)
    assert not missing, f"collection files missing from the tarball: {missing[:20]}"


def test_nothing_git_ignores_ships(members):
    """Local output (a lab, reports, build results) never reaches a release, whatever its name."""
    ignored = subprocess.run(["git", "-C", str(REPO), "check-ignore", "--no-index", "--stdin"],
                             input="\n".join(sorted(members)), capture_output=True, text=True, check=False)
    assert ignored.returncode in (0, 1), ignored.stderr
    assert not ignored.stdout.strip(), f"git-ignored files in the tarball: {ignored.stdout.split()[:20]}"
