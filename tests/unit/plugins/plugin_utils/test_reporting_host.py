# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared host steps of the reporting modules, against a fake host (plugins/plugin_utils/_host/reporting_steps.py)."""

from __future__ import annotations

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.access import ServiceInfo
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.reporting_steps import (
    restart_service,
)


class FakeHost:
    def __init__(self, registry=None, service=None, fail_restart=False):
        self.registry = registry
        self.svc = service or ServiceInfo(name="CitrixWebServicesforLicensing", exists=True, state="running")
        self.fail_restart = fail_restart
        self.restarts: list[str] = []
        self.registry_reads = 0

    def registry_value(self, key, name):
        self.registry_reads += 1
        assert key == r"HKLM\SOFTWARE\WOW6432Node\Citrix\LicenseServer\Install" and name == "LS_Install_Dir"
        return self.registry

    def service(self, name):
        return self.svc

    def set_service(self, name, state):
        if self.fail_restart:
            raise HostError(f"service {name!r} could not be {state}: stuck")
        self.restarts.append(name)
        return {"changed": True, "state": "running"}


def test_running_service_is_restarted_except_in_check_mode():
    host = FakeHost()
    assert restart_service(host, "CitrixWebServicesforLicensing", check_mode=True) == (True, None)
    assert host.restarts == []
    assert restart_service(host, "CitrixWebServicesforLicensing", check_mode=False) == (True, None)
    assert host.restarts == ["CitrixWebServicesforLicensing"]


@pytest.mark.parametrize(
    ("info", "needle"),
    [(ServiceInfo(name="s", exists=False), "does not exist"), (ServiceInfo(name="s", exists=True, state="stopped"),
                                                               "is stopped")],
)
def test_stopped_or_missing_service_is_left_alone(info, needle):
    host = FakeHost(service=info)
    restarted, warning = restart_service(host, "s", check_mode=False)
    assert restarted is False and needle in warning and host.restarts == []


def test_failed_restart_says_the_file_already_changed():
    with pytest.raises(HostError, match="already changed"):
        restart_service(FakeHost(fail_restart=True), "CitrixWebServicesforLicensing", check_mode=False)
