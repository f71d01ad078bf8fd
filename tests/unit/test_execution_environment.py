"""The execution environment definition produces a complete ansible-builder build context.

No container engine is available on the build machines, so the image itself is not built here: these tests run
``ansible-builder create`` (the step before ``build``) on a copy of the repository's EE files together with a
freshly built collection tarball, and check what the image build would receive.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml
from bindep.depends import Depends
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
EE_FILES = ("execution-environment.yml", "requirements.yml", "requirements.txt", "bindep.txt")


def load(name: str) -> dict:
    return yaml.safe_load((REPO / name).read_text(encoding="utf-8"))


def pins(path: Path) -> dict[str, Requirement]:
    """Requirement lines of a pip requirements file by normalised name (comments and blanks skipped)."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            found[requirement.name.lower()] = requirement
    return found


def tool(name: str) -> str:
    path = BIN / name
    if not path.is_file():
        pytest.fail(f"{path} missing: install requirements-dev.txt into the virtualenv (scripts/bootstrap.sh)")
    return str(path)


@pytest.fixture(scope="module")
def tarball(tmp_path_factory) -> Path:
    """The collection built exactly as scripts/build_ee.sh builds it."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [tool("ansible-galaxy"), "collection", "build", "--force", "--output-path", str(out), str(REPO)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (built,) = out.glob("ctxlic-license_server-*.tar.gz")
    return built


@pytest.fixture(scope="module")
def context(tmp_path_factory, tarball) -> Path:
    """``ansible-builder create`` on a copy of the EE files, with the tarball where the EE file expects it."""
    ee = load("execution-environment.yml")
    workdir = tmp_path_factory.mktemp("ee")
    for name in EE_FILES:
        shutil.copy(REPO / name, workdir / name)
    (entry,) = ee["additional_build_files"]
    target = workdir / entry["src"]
    target.parent.mkdir(parents=True)
    shutil.copy(tarball, target)
    build_context = workdir / "context"
    result = subprocess.run(
        [
            tool("ansible-builder"),
            "create",
            "--file",
            str(workdir / "execution-environment.yml"),
            "--context",
            str(build_context),
            "--output-filename",
            "Containerfile",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No matches for" not in result.stdout + result.stderr, "an additional_build_files entry matched nothing"
    return build_context


def test_context_has_containerfile_with_the_base_image(context):
    containerfile = (context / "Containerfile").read_text(encoding="utf-8")
    base = load("execution-environment.yml")["images"]["base_image"]["name"]
    assert f'ARG EE_BASE_IMAGE="{base}"' in containerfile
    assert "FROM $EE_BASE_IMAGE AS base" in containerfile


@pytest.mark.parametrize("name", ["requirements.txt", "bindep.txt", "requirements.yml"])
def test_context_carries_the_repo_dependency_files(context, name):
    assert (context / "_build" / name).read_bytes() == (REPO / name).read_bytes()


def test_containerfile_installs_python_system_and_galaxy_dependencies(context):
    containerfile = (context / "Containerfile").read_text(encoding="utf-8")
    assert "--user-pip=requirements.txt --user-bindep=bindep.txt" in containerfile
    assert "ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml" in containerfile
    assert "RUN /output/scripts/install-from-bindep" in containerfile


def test_context_carries_the_collection_tarball_requirements_yml_installs(context, tarball):
    requirements = load("requirements.yml")
    (local,) = [c for c in requirements["collections"] if c.get("type") == "file"]
    # ansible-galaxy runs in /build, where ansible-builder copies _build/.
    copied = context / "_build" / local["name"]
    assert copied.read_bytes() == tarball.read_bytes()
    with tarfile.open(copied) as archive:
        manifest = json.load(archive.extractfile("MANIFEST.json"))
        members = set(archive.getnames())
    galaxy = load("galaxy.yml")
    info = manifest["collection_info"]
    assert [info[k] for k in ("namespace", "name", "version")] == [galaxy[k] for k in ("namespace", "name", "version")]
    # ansible-builder introspects the installed collection: its EE metadata and the files it names must ship.
    meta = load("meta/execution-environment.yml")
    assert {"meta/execution-environment.yml", meta["dependencies"]["python"], meta["dependencies"]["system"]} <= members


def test_galaxy_requirements_match_galaxy_yml():
    requirements = {c["name"]: c.get("version") for c in load("requirements.yml")["collections"]}
    for name, version in load("galaxy.yml")["dependencies"].items():
        assert requirements[name] == version


def test_ee_ansible_core_and_requirements_cover_the_tested_versions():
    """The EE must allow the versions the test suite runs with (requirements-dev.txt)."""
    dev = pins(REPO / "requirements-dev.txt")
    ee = load("execution-environment.yml")["dependencies"]
    core = Requirement(ee["ansible_core"]["package_pip"])
    assert core.name == "ansible-core"
    assert core.specifier.contains(str(dev["ansible-core"].specifier).lstrip("="))
    runtime = pins(REPO / "requirements.txt")
    assert set(runtime) == {"lxml", "requests", "jinja2", "pywinrm", "psycopg"}
    for name, requirement in runtime.items():
        tested = str(dev[name].specifier).lstrip("=")
        assert requirement.specifier.contains(tested), f"{name}: requirements.txt excludes tested {tested}"


def test_meta_execution_environment_names_existing_files():
    meta = load("meta/execution-environment.yml")
    assert meta["version"] == 3
    for key in ("python", "system"):
        assert (REPO / meta["dependencies"][key]).is_file()


@pytest.mark.parametrize(
    ("platform", "profile", "present", "absent"),
    [
        ("rpm", "default", {"libxml2", "libxslt", "openssh-clients"}, {"gcc", "libxml2-devel"}),
        ("rpm", "compile", {"gcc", "python3-devel", "libxml2-devel", "libxslt-devel"}, {"libxml2-dev"}),
        ("dpkg", "default", {"libxml2", "libxslt1.1", "openssh-client"}, {"gcc", "libxml2-dev"}),
        ("dpkg", "compile", {"gcc", "python3-dev", "libxml2-dev", "libxslt1-dev"}, {"libxml2-devel"}),
    ],
)
def test_bindep_selects_packages_per_platform_and_profile(platform, profile, present, absent):
    depends = Depends((REPO / "bindep.txt").read_text(encoding="utf-8"))
    selected = {rule[0] for rule in depends.active_rules([f"platform:{platform}", profile])}
    assert present <= selected
    assert not absent & selected
