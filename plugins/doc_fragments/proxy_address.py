# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation fragment: how a License Server proxy address (C(host:port)) is validated."""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  allow_ipv6:
    description:
      - Accept an IPv6 proxy in bracket form (C([2001:db8::1]:3128)).
      - The vendor documents show only IPv4 addresses and host names; set to false to refuse IPv6 proxies.
    type: bool
    default: true
"""
