# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
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


def builder_create(workdir: Path) -> subprocess.CompletedProcess:
    """A plain ``ansible-builder create`` of workdir/execution-environment.yml into workdir/context."""
    return subprocess.run(
        [
            tool("ansible-builder"),
            "create",
            "--file",
            str(workdir / "execution-environment.yml"),
            "--context",
            str(workdir / "context"),
            "--output-filename",
            "Containerfile",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def copy_ee_files(workdir: Path) -> None:
    for name in EE_FILES:
        shutil.copy(REPO / name, workdir / name)


@pytest.fixture(scope="module")
def context(tmp_path_factory, tarball) -> Path:
    """``ansible-builder create`` on a copy of the EE files, with the tarball where the EE file expects it."""
    ee = load("execution-environment.yml")
    workdir = tmp_path_factory.mktemp("ee")
    copy_ee_files(workdir)
    (entry,) = ee["additional_build_files"]
    target = workdir / entry["src"]
    target.parent.mkdir(parents=True)
    shutil.copy(tarball, target)
    result = builder_create(workdir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No matches for" not in result.stdout + result.stderr, "an additional_build_files entry matched nothing"
    return workdir / "context"


def galaxy_stage_steps(containerfile: str) -> list[str]:
    """The instructions of the galaxy stage, up to the ansible-galaxy collection install (continuations joined)."""
    lines = containerfile.replace("\\\n", " ").splitlines()
    start = lines.index("FROM base AS galaxy")
    steps = []
    for line in lines[start + 1 :]:
        if line.startswith("FROM "):
            break
        if line.strip() and not line.startswith(("#", "ARG ")):
            steps.append(line.strip())
    return steps


def tarball_check(context_dir: Path) -> tuple[str, str]:
    """The EE's check that the tarball is in the build context: (the RUN command, the directory it runs in)."""
    steps = galaxy_stage_steps((context_dir / "Containerfile").read_text(encoding="utf-8"))
    install = next(i for i, s in enumerate(steps) if "ansible-galaxy collection install" in s)
    checks = [i for i, s in enumerate(steps) if s.startswith("RUN test -f collections/ctxlic-license_server.tar.gz")]
    assert len(checks) == 1, steps
    (check,) = checks
    # The check runs after _build is copied to /build and /build is the working directory, before any install.
    assert "COPY _build /build" in steps[:check] and steps[check - 1] == "WORKDIR /build", steps
    assert check < install
    return steps[check].removeprefix("RUN "), str(context_dir / "_build")


def test_the_tarball_check_passes_on_a_complete_context(context):
    command, workdir = tarball_check(context)
    result = subprocess.run(["sh", "-c", command], cwd=workdir, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_plain_create_without_the_tarball_yields_a_build_that_stops_with_a_clear_message(tmp_path):
    """`ansible-builder create` straight from the documented files, without scripts/build_ee.sh."""
    copy_ee_files(tmp_path)
    result = builder_create(tmp_path)
    # ansible-builder itself only notes the missing file and writes the context anyway.
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No matches for '.build/ee/ctxlic-license_server.tar.gz'" in result.stdout + result.stderr
    context_dir = tmp_path / "context"
    assert not (context_dir / "_build" / "collections").exists()
    # The image build would stop at the check, with a message naming the way out.
    command, workdir = tarball_check(context_dir)
    check = subprocess.run(["sh", "-c", command], cwd=workdir, capture_output=True, text=True, check=False)
    assert check.returncode == 1
    assert "ERROR: the build context has no collections/ctxlic-license_server.tar.gz" in check.stderr
    assert "scripts/build_ee.sh" in check.stderr and "ansible-galaxy collection build" in check.stderr


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
    assert set(runtime) == {"ansible-core", "lxml", "requests", "jinja2", "pywinrm", "psycopg"}
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
