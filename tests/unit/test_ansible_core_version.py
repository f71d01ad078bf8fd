# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One minimum ansible-core version, said the same way everywhere users and tools read it.

meta/runtime.yml ``requires_ansible`` (what ansible-galaxy and Galaxy enforce), the roles'
``min_ansible_version``, requirements.txt, the README and docs, and the execution environment's
``ansible_core`` entry must name the same oldest release; the version the test suite runs
(requirements-dev.txt) must satisfy every one of them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

REPO = Path(__file__).resolve().parents[2]
# "ansible-core >= 2.18" (or >=2.18.0) in prose.
PROSE = re.compile(r"ansible-core\s*>=\s*(\d+\.\d+(?:\.\d+)?)")


def load(relative: str) -> dict:
    return yaml.safe_load((REPO / relative).read_text(encoding="utf-8"))


def lower_bound(specifiers: SpecifierSet, where: str) -> Version:
    bounds = [Version(s.version) for s in specifiers if s.operator == ">="]
    assert len(bounds) == 1, f"{where}: expected exactly one '>=' bound in {specifiers!s}"
    return bounds[0]


def pip_requirement(relative: str, name: str) -> Requirement:
    found = []
    for line in (REPO / relative).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and Requirement(line).name.lower() == name:
            found.append(Requirement(line))
    assert len(found) == 1, f"{relative}: expected one {name} requirement, found {len(found)}"
    return found[0]


def minimums() -> dict[str, Version]:
    """Every place that states the minimum ansible-core, with the version it states."""
    found: dict[str, Version] = {}
    runtime = SpecifierSet(load("meta/runtime.yml")["requires_ansible"])
    found["meta/runtime.yml requires_ansible"] = lower_bound(runtime, "meta/runtime.yml")
    found["requirements.txt"] = lower_bound(pip_requirement("requirements.txt", "ansible-core").specifier,
                                            "requirements.txt")
    ee = Requirement(load("execution-environment.yml")["dependencies"]["ansible_core"]["package_pip"])
    assert ee.name == "ansible-core"
    found["execution-environment.yml ansible_core"] = lower_bound(ee.specifier, "execution-environment.yml")
    roles = sorted((REPO / "roles").glob("*/meta/main.yml"))
    assert roles, "no roles/*/meta/main.yml"
    for meta in roles:
        info = yaml.safe_load(meta.read_text(encoding="utf-8"))["galaxy_info"]
        found[f"{meta.relative_to(REPO)} min_ansible_version"] = Version(str(info["min_ansible_version"]))
    readme = PROSE.findall((REPO / "README.md").read_text(encoding="utf-8"))
    assert readme, "README.md does not say which ansible-core it needs ('ansible-core >= X.Y')"
    for number, version in enumerate(readme, 1):
        found[f"README.md mention {number}"] = Version(version)
    for doc in sorted((REPO / "docs").rglob("*.md")):
        for number, version in enumerate(PROSE.findall(doc.read_text(encoding="utf-8")), 1):
            found[f"{doc.relative_to(REPO)} mention {number}"] = Version(version)
    return found


def test_every_place_states_the_same_minimum_ansible_core():
    found = minimums()
    expected = found["meta/runtime.yml requires_ansible"]
    disagree = {where: str(version) for where, version in found.items() if version != expected}
    assert not disagree, f"minimum ansible-core is {expected} in meta/runtime.yml but: {disagree}"


def test_requires_ansible_is_a_plain_minimum():
    """Galaxy shows requires_ansible to users; an upper bound there would refuse newer ansible-core outright."""
    runtime = SpecifierSet(load("meta/runtime.yml")["requires_ansible"])
    assert [s.operator for s in runtime] == [">="]


def test_the_tested_ansible_core_satisfies_every_stated_range():
    tested = str(pip_requirement("requirements-dev.txt", "ansible-core").specifier).lstrip("=")
    ranges = {
        "meta/runtime.yml": SpecifierSet(load("meta/runtime.yml")["requires_ansible"]),
        "requirements.txt": pip_requirement("requirements.txt", "ansible-core").specifier,
        "execution-environment.yml": Requirement(
            load("execution-environment.yml")["dependencies"]["ansible_core"]["package_pip"]
        ).specifier,
    }
    for where, specifiers in ranges.items():
        assert specifiers.contains(tested), f"{where} ({specifiers}) excludes the tested ansible-core {tested}"
    assert min(minimums().values()) <= Version(tested)


@pytest.mark.parametrize("text", ["ansible-core >= 2.16, the", "needs ansible-core>=2.16.0"])
def test_prose_pattern_reads_the_version(text):
    assert PROSE.search(text).group(1).startswith("2.16")
