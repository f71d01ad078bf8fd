#!/usr/bin/env bash
# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Benchmarks (not part of the test suite): remote calls, time and memory of the fleet gather against the
# one-task floor and a naive playbook, info with each lab backend, site.yml's idempotent second run, the
# zip cleanup, the sliced gather into PostgreSQL, report build, license parser and proxy XML editor.
# Writes docs/performance.md with the machine's description and every figure; each figure comes with a
# baseline measured in the same run, so compare ratios, not absolute times.
# Usage: scripts/bench.sh            (full, about an hour on 2 idle CPUs: gather on 50 and 200 hosts,
#                                     site.yml on 30, cleanup on 20, sliced gather of 1000)
#        scripts/bench.sh --quick    (every section on a few hosts: a few minutes)
#        scripts/bench.sh --help     (every option: sizes, forks, records, what to skip)
set -euo pipefail
# shellcheck source=scripts/_env.sh
source "$(dirname "$0")/_env.sh"
exec python -m benchmarks.run "$@"
