#!/usr/bin/env bash
# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The whole test suite, from nothing: set-up, lint, unit/contract/integration tests, docs, galaxy-importer
# and sanity.
# Usage: scripts/test.sh            (everything)
#        scripts/test.sh --quick    (ruff + pytest only)
set -euo pipefail
# shellcheck source=scripts/_env.sh
source "$(dirname "$0")/_env.sh"
# antsibull-docs in its own virtualenv (.build/docs-venv): tests/unit/test_docs_build.py and lint.sh use it.
"$repo/scripts/docs_venv.sh" >/dev/null
# Each step says how long the previous one took, so a slow suite shows where the time goes.
SECONDS=0
last=0
step() { printf '\n=== %s   (previous step %ss, total %ss)\n' "$*" "$((SECONDS - last))" "$SECONDS"; last=$SECONDS; }

step "ruff"
ruff check .

step "pytest (unit, contract, fuzz, integration, browser, bench: everything below tests/, slow or not)"
pg_env=$("$repo/scripts/postgres.sh" start); eval "$pg_env"; trap '"$repo/scripts/postgres.sh" stop' EXIT  # PostgreSQL tests
# With the server started, the PostgreSQL tests fail rather than skip when they cannot reach it.
[ "${CTXLIC_SKIP_POSTGRES:-0}" = 1 ] || export CTXLIC_REQUIRE_PG=1
# worksteal: with the default "load" schedule the last long integration tests queue on one worker while the
# other idles.
python -m pytest -n 2 --dist worksteal -q --durations=25 tests

if [ "${1:-}" != "--quick" ]; then
  step "ansible-lint, ansible-doc, antsibull-docs lint, changelog lint, mypy"
  "$repo/scripts/lint.sh"
  step "galaxy-importer (the built tarball, checked as Galaxy and Automation Hub check uploads)"
  "$repo/scripts/galaxy_importer.sh"
  step "ansible-test sanity (offline)"
  "$repo/scripts/sanity.sh"
fi
step "all checks passed"
