# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fencing the failed-over primary: its services get a start mode that a reboot does not undo."""

from __future__ import annotations

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._dr import primary as pri
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError

SERVICES = list(pri.DEFAULT_PRIMARY_SERVICES)
RUNNING = {name: (True, "running") for name in SERVICES}
AUTO = dict.fromkeys(SERVICES, "auto")


def test_a_reachable_primary_is_stopped_and_disabled_with_an_undo():
    plan = pri.plan_primary("ls1", reachable=True, error=None, states=RUNNING, services=SERVICES,
                            confirmed_down=False, start_modes=AUTO, start_mode="disabled")
    assert plan.stop == SERVICES and plan.fence == SERVICES and plan.start_mode == "disabled"
    assert "Citrix Licensing' to auto" in plan.undo and "start_mode=auto state=started" in plan.undo
    assert "no longer serves" in plan.undo


def test_fencing_is_idempotent_and_covers_already_stopped_services():
    stopped = {name: (True, "stopped") for name in SERVICES}
    plan = pri.plan_primary("ls1", reachable=True, error=None, states=stopped, services=SERVICES,
                            confirmed_down=False, start_modes=AUTO, start_mode="disabled")
    assert plan.stop == [] and plan.fence == SERVICES  # stopped but would start again at boot
    done = pri.plan_primary("ls1", reachable=True, error=None, states=stopped, services=SERVICES,
                            confirmed_down=False, start_modes=dict.fromkeys(SERVICES, "disabled"),
                            start_mode="disabled")
    assert done.stop == [] and done.fence == []
    assert any("already has start mode disabled" in note for note in done.notes)


def test_missing_services_are_not_fenced_and_undo_keeps_the_earlier_mode():
    states = {"Citrix Licensing": (True, "running"), "CitrixWebServicesforLicensing": (False, None)}
    plan = pri.plan_primary("ls1", reachable=True, error=None, states=states, services=SERVICES,
                            confirmed_down=False, start_modes={"Citrix Licensing": "delayed"}, start_mode="manual")
    assert plan.fence == ["Citrix Licensing"]
    assert "'Citrix Licensing' to delayed" in plan.undo and "CitrixWebServicesforLicensing" not in plan.undo


def test_unchanged_start_mode_says_a_reboot_brings_the_primary_back():
    plan = pri.plan_primary("ls1", reachable=True, error=None, states=RUNNING, services=SERVICES,
                            confirmed_down=False, start_modes=AUTO, start_mode="unchanged")
    assert plan.fence == [] and plan.undo is None
    assert any("reboot" in note for note in plan.notes)


def test_an_unknown_start_mode_is_refused():
    with pytest.raises(InputError, match="start_mode 'auto'"):
        pri.plan_primary("ls1", reachable=True, error=None, states=RUNNING, services=SERVICES,
                         confirmed_down=False, start_modes=AUTO, start_mode="auto")
