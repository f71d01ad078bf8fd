# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""The License Server install directory: the one validation rule (pure).

Every module that addresses files under the install directory (license files, proxy settings,
telemetry bundles, DR, the installer) takes it through :func:`check_install_dir`, whether it came
from the ``install_dir`` option or from the registry (``_host/install_dir.py`` reads that).
"""

from __future__ import annotations

import ntpath
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError

_EXAMPLE = r"C:\Program Files (x86)\Citrix\Licensing"


def check_install_dir(value: Any, source: str = "install_dir", *, installing: bool = False) -> str:
    """A local absolute Windows directory: backslashes only, normalised, no trailing separator (but ``C:\\``).

    ``source`` names where the value came from in every message ("option install_dir", "registry value
    ..."). Refused, with an :class:`InputError`:

    * an empty value or one that is not text;
    * a UNC path: the License Server is a local installation and ``lmreread`` must run locally on it
      (Citrix Licensing documentation, "Reread license and options files");
    * a relative path, or one without an ASCII drive letter (``C:\\``);
    * a NUL character;
    * with ``installing``, localized (non-ASCII) characters: Citrix Licensing 11.17.2 build 49000
      documentation, "Install licensing components using the command line", says they can make the
      installation fail and asks for ASCII characters in the installation directory (seed 004 ~2740).
      The rule is about installing: a License Server that already runs from such a directory (the
      registry names it) is still managed, backed up and reported.
    """
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{source}: the License Server install directory is empty ({value!r}); give the "
                         f"directory that holds MyFiles and LS, like {_EXAMPLE}")
    text = value.strip().replace("/", "\\")
    if text.startswith("\\\\"):
        raise InputError(f"{source}: {value!r} is a UNC path; the License Server is a local installation, so give "
                         f"its local directory with a drive letter, like {_EXAMPLE}")
    drive, rest = ntpath.splitdrive(text)
    if len(drive) != 2 or drive[1] != ":" or not drive[0].isascii() or not drive[0].isalpha() \
            or not rest.startswith("\\"):
        raise InputError(f"{source}: {value!r} is not an absolute local Windows path with a drive letter; give the "
                         f"directory that holds MyFiles and LS, like {_EXAMPLE}")
    if "\x00" in text:
        raise InputError(f"{source}: {value!r} contains a NUL character, which Windows paths cannot hold")
    localized = sorted({char for char in text if not char.isascii()})
    if localized and installing:
        raise InputError(
            f"{source}: {value!r} contains localized (non-ASCII) characters {''.join(localized)!r}: Citrix Licensing "
            "11.17.2 build 49000 documentation, Install licensing components using the command line, says they can "
            "make the installation fail. Use the default installation directory or a path of ASCII letters."
        )
    normalized = ntpath.normpath(text)
    return normalized if len(normalized) > 3 else drive + "\\"
