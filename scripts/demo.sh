#!/usr/bin/env bash
# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The main job on the built-in simulated fleet: create a fresh lab fleet of about a dozen license
# servers in mixed states and run the fleet compliance report against it. Everything it needs is
# set up first. Reports and the evidence database are written below the lab directory.
set -euo pipefail
# shellcheck source=scripts/_env.sh
source "$(dirname "$0")/_env.sh"
export PYTHONPATH="$repo/.build/collections${PYTHONPATH:+:$PYTHONPATH}"  # for python -m ...lab.cli below
lab="${CTXLIC_LAB_DIR:-$repo/lab}"
rm -rf "$lab"
python -m ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.cli create "$lab" --scenario demo >/dev/null
echo "lab fleet: $lab (inventory $lab/inventory.yml)"
status=0
ansible-playbook -i "$lab/inventory.yml" playbooks/fleet_report.yml \
    -e "ctxlic_telemetry_report_dir=$lab/reports" -e "ctxlic_telemetry_history_db=$lab/evidence.sqlite" "$@" || status=$?
echo
echo "reports:"
for report in "$lab"/reports/*; do
    [[ -e "$report" ]] && echo "  $report"
done
echo "evidence history: $lab/evidence.sqlite"
exit "$status"
