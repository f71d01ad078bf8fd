#!/usr/bin/env bash
# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Run galaxy-importer, the checker Galaxy and Automation Hub run on every uploaded collection, on the
# collection tarball exactly as `ansible-galaxy collection build` makes it; fail on any error it reports.
#
#   1. a virtualenv of its own, .build/importer-venv, with tests/requirements-importer.txt (galaxy-importer
#      pins its own ansible-core and ansible-lint, so it never goes into .venv); made again only when that
#      file changes (its sha256 is kept in the venv, as scripts/bootstrap.sh does for .venv);
#   2. ansible-galaxy collection build      -> .build/importer/dist/ctxlic-license_server-<version>.tar.gz;
#   3. galaxy-importer on the tarball, with .build/importer/galaxy-importer.cfg: no container engine is
#      needed because its ansible-test sanity run is off (run_ansible_test = False; scripts/sanity.sh runs
#      ansible-test sanity instead). It still checks MANIFEST.json and galaxy.yml metadata (Automation Hub's
#      required tags included), meta/runtime.yml, every plugin's documentation through ansible-doc, roles
#      and playbooks, the changelog, the tarball's file checksums, and runs ansible-lint (production profile,
#      offline) on the extracted collection; see docs/testing.md.
#   4. The run fails on: a non-zero exit, a missing "completed successfully" line, any ERROR line, and any
#      WARNING line not listed in ALLOWED_WARNINGS below (each with the reason it cannot be avoided).
#
# Usage: scripts/galaxy_importer.sh      Output: .build/importer/importer.log, importer_result.json
# Environment: CTXLIC_PYTHON (the Python for the venv; default: the first of python3.11..3.13, python3 >= 3.11)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
requirements="$repo/tests/requirements-importer.txt"
venv="$repo/.build/importer-venv"
work="$repo/.build/importer"

# Warnings that Galaxy itself would print for this collection and that no change here can remove.
ALLOWED_WARNINGS=(
  # galaxy-importer lints offline, without the collection's dependencies installed (on Galaxy too), so
  # ansible-lint's syntax check cannot resolve modules of ansible.windows (galaxy.yml dependencies).
  "syntax-check\[unknown-module\]: couldn't resolve module/action 'ansible\.windows\.[a-z_]+'"
)

# shellcheck source=scripts/_venv.sh
source "$repo/scripts/_venv.sh"
ensure_venv galaxy_importer.sh "$(find_python galaxy_importer.sh)" "$venv" "$requirements"

rm -rf "$work"
mkdir -p "$work/dist" "$work/tmp"
# Nothing of this checkout's Ansible set-up (ansible.cfg, .build/collections) may leak into the run: the
# importer must see only the tarball, as Galaxy does.
clean_env=(env -u ANSIBLE_CONFIG -u ANSIBLE_COLLECTIONS_PATH -u ANSIBLE_COLLECTIONS_PATHS -u PYTHONPATH
           "PATH=$venv/bin:$PATH" "HOME=$work/tmp")
(cd "$work" && "${clean_env[@]}" "$venv/bin/ansible-galaxy" collection build --output-path "$work/dist" "$repo")
built=("$work"/dist/*.tar.gz)
[ "${#built[@]}" -eq 1 ] && [ -f "${built[0]}" ] || { echo "galaxy_importer.sh: expected one tarball in $work/dist" >&2; exit 1; }
tarball=${built[0]}

cat > "$work/galaxy-importer.cfg" <<EOF
[galaxy-importer]
# ansible-test sanity needs podman or docker here; scripts/sanity.sh runs it without one.
run_ansible_test = False
run_ansible_lint = True
offline_ansible_lint = True
run_ansible_doc = True
check_changelog = True
# Automation Hub requires one tag from its list (galaxy.yml has "windows").
check_required_tags = True
# Automation Hub certification wants version >= 1.0.0; this collection is at 0.x until its first release.
require_v1_or_greater = False
ansible_local_tmp = $work/tmp/ansible
tmp_root_dir = $work/tmp
log_level_main = INFO
EOF

echo "galaxy_importer.sh: galaxy-importer $("$venv/bin/python" -c 'from importlib.metadata import version; print(version("galaxy-importer"))') on $tarball"
set +e
(cd "$work" && "${clean_env[@]}" GALAXY_IMPORTER_CONFIG="$work/galaxy-importer.cfg" \
  "$venv/bin/python" -m galaxy_importer.main "$tarball") > "$work/importer.log" 2>&1
status=$?
set -e
cat "$work/importer.log"

problems=()
[ "$status" -eq 0 ] || problems+=("galaxy-importer exited with status $status")
grep -q '^Importer processing completed successfully' "$work/importer.log" \
  || problems+=("no 'Importer processing completed successfully' line")
while IFS= read -r line; do
  problems+=("$line")
done < <(grep -E '^(ERROR|CRITICAL): ' "$work/importer.log" || true)
while IFS= read -r line; do
  allowed=0
  for pattern in "${ALLOWED_WARNINGS[@]}"; do
    if [[ $line =~ $pattern ]]; then allowed=1; break; fi
  done
  [ "$allowed" = 1 ] || problems+=("$line")
done < <(grep -E '^WARNING: ' "$work/importer.log" || true)

if ((${#problems[@]})); then
  echo >&2
  echo "galaxy_importer.sh: FAILED: galaxy-importer found ${#problems[@]} problem(s) in $(basename "$tarball"):" >&2
  printf '  %s\n' "${problems[@]}" >&2
  exit 1
fi
echo "galaxy_importer.sh: $(basename "$tarball") imports cleanly (log: $work/importer.log)"
