# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Paths that issue 16 item 8 (mypy clean) made explicit: a value that can be None is checked, not assumed."""

from __future__ import annotations

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry import proxy_config
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.bundle_run import (
    bundle_label,
    plan_groups,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import INSTALL_REG_KEY
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.programs import Host


def test_bundle_label_names_the_kind_only_for_a_group_that_has_one():
    files = [{"kind": "usage", "size": 1}, {"kind": "compliance", "size": 1}]
    assert [bundle_label("ls01", kind) for kind, _group in plan_groups(files, False)] == ["ls01"]
    assert sorted(bundle_label("ls01", kind) for kind, _group in plan_groups(files, True)) == [
        "ls01_compliance", "ls01_usage"]


@pytest.mark.parametrize("text", ["<a></ >", "<a>< b/></a>"])
def test_a_tag_without_a_name_is_not_scanned(text):
    """The scanner's name match can fail; that gives no spans (as before), never an AttributeError."""
    with pytest.raises(proxy_config._ScanError):
        proxy_config._scan(text)
    assert proxy_config._scan_elements(text) == []


def test_a_lab_host_without_an_install_says_so_instead_of_a_type_error(tmp_path):
    host = Host(tmp_path)
    assert host.install is None and host.base is None
    with pytest.raises(RuntimeError, match="no License Server install registry key") as caught:
        host.installed_base()
    assert INSTALL_REG_KEY in str(caught.value)
    with pytest.raises(RuntimeError, match="no License Server install registry key"):
        host.reread()
