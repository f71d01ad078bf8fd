# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one install directory rule (_common/install_dir.py) and the one way to find it on a host (_host/install_dir.py).

Before issue 16 the reporting modules kept ``C:/x`` as given while the license modules rewrote it to ``C:\\x``,
and each refused a different set of paths; every module now gets the same answer.
"""

from __future__ import annotations

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import (
    INSTALL_REG_KEY,
    INSTALL_REG_VALUE,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.install_dir import check_install_dir
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.install_dir import (
    registered_install_dir,
    resolve_install_dir,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import plan as license_plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry import reporting

INSTALL = r"C:\Program Files (x86)\Citrix\Licensing"


@pytest.mark.parametrize(("given", "expected"), [
    (INSTALL, INSTALL),
    (INSTALL + "\\", INSTALL),
    ("D:/Citrix/Licensing/", r"D:\Citrix\Licensing"),
    ("C:/Citrix", r"C:\Citrix"),
    ("  E:\\LS  ", r"E:\LS"),
    (r"d:\x", r"d:\x"),
    (r"C:\Citrix\\Licensing\.\LS\..", r"C:\Citrix\Licensing"),
    ("C:\\", "C:\\"),
    ("C:/", "C:\\"),
])
def test_local_absolute_paths_are_normalised(given: str, expected: str) -> None:
    assert check_install_dir(given, "option install_dir") == expected


@pytest.mark.parametrize("bad", [
    None, "", "  ", 5, "Citrix\\Licensing", "C:", r"C:Citrix", r"1:\x", "\u00e9:\\x",
    r"\\server\share\Licensing", "//server/share/Licensing", "/opt/citrix", "C:\\Lic\x00ensing",
])
def test_relative_unc_and_empty_paths_are_refused_naming_the_source(bad: object) -> None:
    with pytest.raises(InputError, match=r"^option install_dir: "):
        check_install_dir(bad, "option install_dir")


@pytest.mark.parametrize("value", ["C:\\Citrix\\Lizenzserver\u00fc", "D:\\\u30e9\u30a4\u30bb\u30f3\u30b9"])
def test_localized_characters_are_refused_for_an_install_with_the_vendor_document(value: str) -> None:
    with pytest.raises(InputError, match=r"localized.*Install licensing components using the command line"):
        check_install_dir(value, installing=True)


@pytest.mark.parametrize("value", ["C:\\Citrix\\Lizenzserver\u00fc", "D:\\\u30e9\u30a4\u30bb\u30f3\u30b9"])
def test_a_server_already_running_from_a_localized_directory_is_still_managed(value: str) -> None:
    """The vendor's ASCII rule is about installing; the registry of a working server may still name such a folder."""
    assert check_install_dir(value, "registry value LS_Install_Dir") == value


def test_every_path_builder_uses_the_same_directory() -> None:
    given = "D:/Citrix/Licensing/"
    assert license_plan.myfiles_dir(given) == r"D:\Citrix\Licensing\MyFiles"
    assert reporting.config_path(check_install_dir(given)) == \
        r"D:\Citrix\Licensing\WebServicesForLicensing\SimpleLicenseServiceConfig.xml"


class FakeHost:
    def __init__(self, registry: object = None) -> None:
        self.registry = registry
        self.reads: list[tuple[str, str]] = []

    def registry_value(self, key: str, name: str) -> object:
        self.reads.append((key, name))
        return self.registry


def test_option_wins_and_the_registry_is_not_read() -> None:
    host = FakeHost(registry=r"C:\Other")
    assert resolve_install_dir(host, "D:/LS/") == r"D:\LS"
    assert host.reads == []


def test_registry_value_is_normalised_when_no_option() -> None:
    host = FakeHost(registry="C:/Lic/")
    assert resolve_install_dir(host, None) == r"C:\Lic"
    assert host.reads == [(INSTALL_REG_KEY, INSTALL_REG_VALUE)]
    assert registered_install_dir(FakeHost(registry=INSTALL + "\\")) == INSTALL


@pytest.mark.parametrize("value", [None, "", "  "])
def test_missing_registry_value_means_not_installed(value: object) -> None:
    assert registered_install_dir(FakeHost(registry=value)) is None
    with pytest.raises(HostError, match=r"not installed: registry value .*LS_Install_Dir does not exist.*install_dir"):
        resolve_install_dir(FakeHost(registry=value), None)


def test_bad_paths_are_input_errors_naming_their_source() -> None:
    with pytest.raises(InputError, match=r"^option install_dir"):
        resolve_install_dir(FakeHost(), r"\\server\share")
    with pytest.raises(InputError, match=r"^registry value HKLM\\SOFTWARE.*LS_Install_Dir"):
        resolve_install_dir(FakeHost(registry="relative\\dir"), None)
