# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection as users get it: built with ansible-galaxy, installed, and its lab used from there."""

from __future__ import annotations

import subprocess
import sys

from .conftest import BIN, ansible_env, build_and_install_collection

INFO_PLAY = """- hosts: all
  gather_facts: false
  tasks:
    - name: gather
      ctxlic.license_server.info:
"""


def test_built_collection_installs_and_runs_its_lab(tmp_path):
    tarball, colls = build_and_install_collection(tmp_path)
    listing = subprocess.run(["tar", "tzf", str(tarball)], check=True, capture_output=True, text=True).stdout
    assert "plugins/plugin_utils/lab/cli.py" in listing
    assert ".venv/" not in listing and ".build/" not in listing and ".hypothesis/" not in listing
    lab = tmp_path / "lab"
    env = ansible_env({"ANSIBLE_COLLECTIONS_PATH": str(colls), "PYTHONPATH": str(colls)})
    env.pop("ANSIBLE_CONFIG", None)
    subprocess.run([sys.executable, "-m", "ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.cli",
                    "create", str(lab), "--hosts", "3"], check=True, capture_output=True, env=env, cwd=tmp_path)
    assert repr(str(colls)) in (lab / "hosts/ls01/.lab/bin/labctl").read_text()  # programs run the installed copy
    play = tmp_path / "play.yml"
    play.write_text(INFO_PLAY)
    proc = subprocess.run([str(BIN / "ansible-playbook"), "-i", str(lab / "inventory.yml"), str(play)],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert '"installed": true' in proc.stdout
