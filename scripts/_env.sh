# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# shellcheck shell=bash
# Sourced (not run) by the scripts that run the collection: test.sh, bench.sh, demo.sh and campaign.sh.
# Sets up what they need (scripts/bootstrap.sh: the virtualenv and the ansible_collections link; it only
# does what is missing), sets $repo to the repository root and enters it, and puts the virtualenv on PATH
# and the collection on ANSIBLE_COLLECTIONS_PATH.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$repo/scripts/bootstrap.sh"
cd "$repo"
export PATH="$repo/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$repo/.build/collections"
