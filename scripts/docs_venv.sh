#!/usr/bin/env bash
# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The documentation tool's own virtualenv, .build/docs-venv, with the pins of requirements-docs.txt
# (antsibull-docs and what it needs). It is kept apart from .venv because antsibull-docs' Sphinx needs an older
# docutils and another PyYAML than .venv pins (see requirements-docs.txt). Safe to run again: it only does what is
# missing, and rebuilds the virtualenv when requirements-docs.txt changed.
#
# Called by scripts/test.sh, scripts/lint.sh and scripts/build_docs.py. Prints the path of antsibull-docs.
# Environment: VENV (default <repo>/.venv; its Python creates the new virtualenv), DOCS_VENV (default
# <repo>/.build/docs-venv).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="${VENV:-$repo/.venv}"
docs_venv="${DOCS_VENV:-$repo/.build/docs-venv}"
requirements="$repo/requirements-docs.txt"
py="$venv/bin/python"
[ -x "$py" ] || { echo "docs_venv: $py not found; run scripts/bootstrap.sh first" >&2; exit 2; }
# shellcheck source=scripts/_venv.sh
source "$repo/scripts/_venv.sh"
ensure_venv docs_venv "$py" "$docs_venv" "$requirements" antsibull-docs
echo "$docs_venv/bin/antsibull-docs"
