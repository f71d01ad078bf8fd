# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline stand-in for ansible-test's ``get-pip.py`` bootstrap script.

``ansible-test sanity`` creates a virtualenv per test and bootstraps pip in it by running
``get-pip-<version>.py``, which it downloads from the Ansible CI file server unless a copy is cached
at ``~/.ansible/test/cache/get_pip_<version>.py``. That server is not reachable from every build
machine, so ``scripts/sanity.sh`` puts this file at the cache path instead.

ansible-test runs the cached file as ``__main__`` (through its ``quiet_pip.py``) with pip-install
arguments such as ``--disable-pip-version-check pip==24.2 --no-setuptools --no-wheel``. This stand-in:

1. bootstraps pip into the running interpreter's environment with the standard library's
   ``ensurepip`` (no network needed);
2. drops the two options only the real get-pip understands (``--no-setuptools``, ``--no-wheel``);
3. runs ``python -m pip install`` with the remaining arguments, so the requested pip version comes
   from the configured index / find-links (pip.conf is still read);
4. passes ``--cert <CA bundle>`` when a system CA bundle exists, because ansible-test runs pip with a
   stripped environment and ``PIP_CERT`` / ``SSL_CERT_FILE`` are gone.
"""

from __future__ import annotations

import ensurepip
import os
import subprocess
import sys

# Options only the real get-pip.py accepts; pip install would reject them.
GET_PIP_ONLY_OPTIONS = frozenset({"--no-setuptools", "--no-wheel"})

# Where distributions keep the system CA bundle (Debian/Ubuntu, RHEL/Fedora, openSUSE, Alpine/others).
CA_BUNDLES = (
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
)

# Marker that scripts/sanity.sh looks for to tell this stand-in from a real cached get-pip.py.
STUB_MARKER = "ctxlic-get-pip-stub"


def ca_bundle() -> str | None:
    """The CA bundle pip should trust: an explicit environment setting if present, else the system bundle."""
    for candidate in (os.environ.get("PIP_CERT"), os.environ.get("SSL_CERT_FILE"), *CA_BUNDLES):
        if candidate and os.path.isfile(candidate):
            return candidate
    return None


def pip_install_arguments(argv: list[str], cert: str | None) -> list[str]:
    """The ``pip install`` arguments for get-pip's ``argv``: get-pip-only options removed, ``--cert`` added."""
    arguments = [argument for argument in argv if argument not in GET_PIP_ONLY_OPTIONS]
    has_cert = any(argument == "--cert" or argument.startswith("--cert=") for argument in arguments)
    if cert and not has_cert:
        arguments = ["--cert", cert, *arguments]
    return arguments


def main(argv: list[str]) -> int:
    """Bootstrap pip, then pip-install what ansible-test asked get-pip for. Returns pip's exit code."""
    ensurepip.bootstrap(upgrade=False, default_pip=True)
    command = [sys.executable, "-m", "pip", "install", *pip_install_arguments(argv, ca_bundle())]
    print(f"{STUB_MARKER}: {' '.join(command)}", flush=True)
    return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
