# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 15 item 11, texts outside the report, through the shipped playbooks and modules.

* The DR runbook in check mode said "<dr host> now serves as <HOSTNAME>" although nothing was restored;
  in check mode it must say "would serve as".
(The license-file refusal texts are unit-tested in tests/unit/plugins/plugin_utils/test_user_texts.py.)
"""

from __future__ import annotations

from .test_dr import assert_ok, destroy_primary, dr, primary, run_backup, run_failover


def test_check_mode_failover_says_would(make_fleet, tmp_path):
    fleet = make_fleet([primary(), dr()])
    backups = tmp_path / "backups"
    assert_ok(run_backup(fleet, backups))
    destroy_primary(fleet)
    checked = run_failover(fleet, backups, tmp_path, check=True, ctxlic_dr_primary_confirmed_down=True)
    assert_ok(checked)
    report = " ".join(checked.results_ending("Report the failover")["dr"]["msg"][0].split())
    assert report.startswith("dr would serve as LICSRV01"), report
    assert "now serves" not in report
