#!/usr/bin/env bash
# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Benchmarks (not part of the test suite): remote calls, time and memory of the fleet gather against a
# naive playbook, site.yml's idempotent second run, report build, license parser and proxy XML editor.
# Writes docs/performance.md with the machine's description and every figure; each figure comes with a
# baseline measured in the same run, so compare ratios, not absolute times.
# Usage: scripts/bench.sh            (full: gather on 50, 200 and 1000 hosts, site.yml on 200; long)
#        scripts/bench.sh --quick    (gather and site.yml on 50 hosts)
#        scripts/bench.sh --help     (every option: sizes, forks, records, what to skip)
set -euo pipefail
# shellcheck source=scripts/_env.sh
source "$(dirname "$0")/_env.sh"
exec python -m benchmarks.run "$@"
