#!/usr/bin/env bash
# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The long form of the "nothing lost" fault campaign (tests/integration/test_nothing_lost.py): random
# sequences of license removal, telemetry bundling with cleanup, DR backup with retention and
# decommission on fresh lab hosts, with random kills, pauses, overlapping runs and cut transfers; after
# each sequence every license file and telemetry zip that ever existed must still be on the server or
# byte-identical on the controller. The CI suite runs the same test for about 150 s.
# Usage: scripts/campaign.sh [SECONDS] [SEED]   (defaults: 1500 s, a random seed that is printed)
# Figures: .build/campaign/results.json (sequences, operations, faults by kind, files tracked, files lost).
# Reproduce a failure: scripts/campaign.sh SECONDS SEED with the seed it printed.
set -euo pipefail
# shellcheck source=scripts/_env.sh
source "$(dirname "$0")/_env.sh"
seconds=${1:-1500}
seed=${2:-$(python -c 'import random; print(random.randrange(1, 2**31))')}
mkdir -p .build/campaign
echo "nothing-lost campaign: ${seconds} s, seed ${seed}"
export CTXLIC_CAMPAIGN_SECONDS="$seconds" CTXLIC_CAMPAIGN_SEED="$seed"
export CTXLIC_CAMPAIGN_REPORT="$repo/.build/campaign/results.json"
status=0
nice -n 10 python -m pytest -q -s -p no:cacheprovider tests/integration/test_nothing_lost.py::test_nothing_lost_campaign \
  --basetemp="$repo/.build/campaign/tmp" || status=$?
echo "figures: $CTXLIC_CAMPAIGN_REPORT (seed ${seed})"
exit "$status"
