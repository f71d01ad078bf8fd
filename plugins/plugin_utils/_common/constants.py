# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Facts about the vendor product and the collection that more than one module needs (pure).

One definition each, so a module never carries its own copy. The lab (``plugins/plugin_utils/lab``)
keeps copies of the vendor facts on purpose: it simulates the product independently of the
collection, so a wrong value here is caught by the lab instead of agreeing with it.
"""

from __future__ import annotations

import re

#: Registry key and value naming the install directory (DESIGN.md "Facts seen on real servers").
INSTALL_REG_KEY = r"HKLM\SOFTWARE\WOW6432Node\Citrix\LicenseServer\Install"
INSTALL_REG_VALUE = "LS_Install_Dir"
#: Where the installer puts the License Server when no directory is given; seed 004, "Uninstall the License
#: Server": MyFiles is kept in this folder after an uninstall.
DEFAULT_INSTALL_DIR = r"C:\Program Files (x86)\Citrix\Licensing"
#: The service that serves checkouts (lmgrd / CITRIX vendor daemon).
LICENSING_SERVICE = "Citrix Licensing"
#: The service that owns ``WebServicesForLicensing`` (and SimpleLicenseServiceConfig.xml).
WEB_SERVICE = "CitrixWebServicesforLicensing"

#: The controller's evidence history (the default of fleet_report, evidence_event and the telemetry role).
DEFAULT_HISTORY_DB = "~/.local/share/ctxlic/evidence.sqlite"
#: The most bytes the DR modules collect of one file from a host.
COLLECT_MAX_BYTES = 1024 * 1024
#: The host folder where controller files are staged before they are moved into place.
STAGING_DIR = r"C:\Windows\Temp\ctxlic"
#: Suffix of a store file that is still being written (removed or renamed when complete).
PART_SUFFIX = ".part"

UTF8_BOM = b"\xef\xbb\xbf"
#: Lower-case hex digests as the collection stores them.
SHA1_HEX = re.compile(r"^[0-9a-f]{40}$")
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
