# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shipped data files are parsed once per process and with libyaml's loader (issue 18 item 2).

The YAML files stay the one source of truth: no JSON copy is shipped. What these tests hold: the C
loader builds exactly the data the pure-Python ``yaml.safe_load`` builds for every shipped file, the
release catalog is parsed once per process, and a changed file is read again.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common import package_data
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import catalog as catalog_store

DATA = package_data.PLUGIN_UTILS / "data"


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.yml")))
def test_the_fast_loader_reads_each_shipped_file_as_safe_load_does(name: str) -> None:
    text = (DATA / name).read_text(encoding="utf-8")
    assert package_data.parse_yaml(text) == yaml.safe_load(text)


def test_the_c_loader_is_used_when_pyyaml_has_it() -> None:
    expected = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader
    assert package_data.safe_loader() is expected


def test_the_shipped_catalog_is_parsed_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    first = catalog_store.load_shipped()
    calls = []
    monkeypatch.setattr(package_data, "parse_yaml", lambda text: calls.append(text) or yaml.safe_load(text))
    assert catalog_store.load_shipped() is first
    assert calls == []


def test_a_changed_catalog_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "release_catalog.yml"
    text = catalog_store.DATA_FILE.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    before = catalog_store.load_shipped(path)
    assert catalog_store.load_shipped(path) is before
    # Drop the newest release; the size changes, and the modification time is moved on as well.
    data = yaml.safe_load(text)
    data["releases"] = data["releases"][:-1]
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    after = catalog_store.load_shipped(path)
    assert len(after.releases) == len(before.releases) - 1
