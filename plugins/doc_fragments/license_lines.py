# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation fragments: options of the modules that parse license files and judge their lines.

``ctxlic.license_server.license_lines`` adds ``expiry_warning_days``; ``ctxlic.license_server.license_lines.as_of``
adds ``as_of`` for modules that judge expiry and START dates on the controller's date.
"""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  expiry_warning_days:
    description:
      - Warn about license lines that expire within this many days.
    type: int
    default: 30
"""

    AS_OF = r"""
options:
  as_of:
    description:
      - The date, as C(YYYY-MM-DD), against which expiry and C(START) dates are judged. Defaults to today in UTC
        on the controller.
    type: str
"""
