#!/usr/bin/env bash
# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Run `ansible-test sanity` on the collection without network access to the Ansible CI file server.
#
# Why the detours:
# * ansible-test must run from a tree whose path ends in ansible_collections/<ns>/<name>; the repo root
#   is the collection root but is not named like that, so a clean copy is made under
#   .build/sanity/ansible_collections/ctxlic/license_server (without .venv, .build, .git, tests/output
#   and caches). ansible-test then sees exactly the files the collection has.
# * ansible-test bootstraps pip in each per-test virtualenv with get-pip.py downloaded from
#   ci-files.testing.ansible.com, unless ~/.ansible/test/cache/get_pip_<version>.py exists. We put
#   scripts/get_pip_stub.py there (ensurepip + pip install; see its docstring). A real get-pip.py
#   already cached there is left alone.
#
# Usage: scripts/sanity.sh [extra ansible-test sanity arguments, e.g. --test pep8]
# Environment: VENV (default <repo>/.venv), SANITY_PYTHON (default 3.11).
# Exit status: ansible-test's (non-zero when any sanity test fails).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$REPO/.venv}"
SANITY_PYTHON="${SANITY_PYTHON:-3.11}"
PY="$VENV/bin/python"
ANSIBLE_TEST="$VENV/bin/ansible-test"

for tool in "$PY" "$ANSIBLE_TEST"; do
    if [[ ! -x "$tool" ]]; then
        echo "sanity.sh: $tool not found; create the virtualenv first (scripts/bootstrap.sh or pip install -r requirements-dev.txt)" >&2
        exit 2
    fi
done

read -r NAMESPACE NAME < <("$PY" - "$REPO/galaxy.yml" <<'EOF'
import sys, yaml
with open(sys.argv[1], encoding="utf-8") as handle:
    galaxy = yaml.safe_load(handle)
print(galaxy["namespace"], galaxy["name"])
EOF
)

# The pip version ansible-test bootstraps (24.2 for ansible-core 2.19), read from ansible-test itself
# so that an ansible-core upgrade does not silently bypass the stand-in.
PIP_VERSION="$("$PY" - <<'EOF'
import inspect, re
from ansible_test._internal import python_requirements
match = re.search(r"pip='([0-9.]+)'", inspect.getsource(python_requirements.get_venv_packages))
if not match:
    raise SystemExit("sanity.sh: cannot find the pip version ansible-test bootstraps; update scripts/sanity.sh")
print(match.group(1))
EOF
)"
CACHE_DIR="$HOME/.ansible/test/cache"
GET_PIP="$CACHE_DIR/get_pip_${PIP_VERSION//./_}.py"
mkdir -p "$CACHE_DIR"
if [[ ! -f "$GET_PIP" ]] || grep -q "ctxlic-get-pip-stub" "$GET_PIP"; then
    cp "$REPO/scripts/get_pip_stub.py" "$GET_PIP"
else
    echo "sanity.sh: keeping the existing get-pip bootstrap script $GET_PIP"
fi

SANITY_ROOT="$REPO/.build/sanity"
DEST="$SANITY_ROOT/ansible_collections/$NAMESPACE/$NAME"
rm -rf "$DEST"
mkdir -p "$DEST"
tar -C "$REPO" \
    --exclude=./.venv --exclude=./.build --exclude=./.git --exclude=./tests/output \
    --exclude=__pycache__ --exclude=.pytest_cache --exclude=.ruff_cache --exclude=.mypy_cache --exclude=./.hypothesis \
    --exclude=./lab --exclude=./reports --exclude='*.tar.gz' \
    -cf - . | tar -C "$DEST" -xf -

cd "$DEST"
# The copy lies inside the repository's git work tree, where .build/ is ignored: left alone, ansible-test
# walks up to the repository .git, asks git for the collection's files and finds none ("All targets skipped").
# Naming the content root stops the walk; ansible-test then lists the copy's files itself.
export ANSIBLE_TEST_CONTENT_ROOT="$DEST"
echo "sanity.sh: running ansible-test sanity in $DEST (python $SANITY_PYTHON, pip $PIP_VERSION bootstrap: $GET_PIP)"
set +e
"$ANSIBLE_TEST" sanity --python "$SANITY_PYTHON" -v "$@"
status=$?
set -e
if [[ $status -ne 0 ]]; then
    echo "sanity.sh: ansible-test sanity FAILED (exit $status); results in $DEST/tests/output" >&2
fi
exit $status
