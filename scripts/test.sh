#!/usr/bin/env bash
# The whole test suite, from nothing: set-up, lint, unit/contract/integration tests, docs and sanity.
# Usage: scripts/test.sh            (everything)
#        scripts/test.sh --quick    (ruff + pytest only)
set -euo pipefail
# shellcheck source=scripts/_env.sh
source "$(dirname "$0")/_env.sh"
# Each step says how long the previous one took, so a slow suite shows where the time goes.
SECONDS=0
last=0
step() { printf '\n=== %s   (previous step %ss, total %ss)\n' "$*" "$((SECONDS - last))" "$SECONDS"; last=$SECONDS; }

step "ruff"
ruff check .

step "pytest (unit, contract, fuzz, integration, browser, bench: everything below tests/, slow or not)"
# worksteal: with the default "load" schedule the last long integration tests queue on one worker while the
# other idles.
python -m pytest -n 2 --dist worksteal -q --durations=25 tests

if [ "${1:-}" != "--quick" ]; then
  step "ansible-lint, ansible-doc, changelog lint"
  "$repo/scripts/lint.sh"
  step "ansible-test sanity (offline)"
  "$repo/scripts/sanity.sh"
fi
step "all checks passed"
