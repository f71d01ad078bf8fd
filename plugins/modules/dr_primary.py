#!/usr/bin/python
# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This file only documents the module; the code is the action plugin plugins/action/dr_primary.py.

DOCUMENTATION = r"""
---
module: dr_primary
short_description: Make sure the primary Citrix License Server is not serving before a DR failover
version_added: 0.1.0
description:
  - Citrix Licensing 11.17.2 build 49000 documentation says to make only one License Server accessible at any one time.
    Two License Servers with the
    same name must not be active on the network together. Before a disaster-recovery License Server takes over,
    this module makes sure the primary does not serve licenses any more.
  - Run it against the primary, normally with C(delegate_to) from the play on the DR host (the
    C(ctxlic.license_server.dr) role does this). The delegated host's own variables decide how it is reached,
    including C(ctxlic_lab_root) for lab hosts.
  - When the primary answers, the services in O(services) are stopped in the given order (C(Citrix Licensing)
    first, which serves the checkouts). Then their state is read again, and the task fails unless all are stopped.
  - "The primary is fenced durably: a stopped service on automatic start comes back when the primary reboots, and
    then two License Servers with the same host name are reachable, which the Citrix Licensing documentation
    forbids. So each existing service in O(services) gets the start mode O(start_mode) (default C(disabled)); a
    disabled service cannot be started, by a reboot or by anyone, until its start mode is changed back. RV(undo)
    says how to do that."
  - When the primary does not answer (connection failure, or the host cannot be read), the task does not end
    the play as unreachable. It fails with an explanation unless O(confirmed_down=true), and then succeeds with
    RV(reachable=false). Ansible not reaching a host proves only that its management connection is down, not
    that its License Server is. The operator has to confirm that it is off.
options:
  services:
    description:
      - Windows services to stop, in order. Must include C(Citrix Licensing).
      - Services that do not exist on the primary are reported in RV(notes) and skipped.
    type: list
    elements: str
    default: [Citrix Licensing, CitrixWebServicesforLicensing]
  confirmed_down:
    description:
      - The operator confirms that the primary is down (powered off or disconnected). Only used when the primary
        cannot be reached. A primary that answers always has its services stopped.
    type: bool
    default: false
  start_mode:
    description:
      - The start mode the primary's services get, so that a reboot does not bring the primary back
        (C(ansible.windows.win_service) O(start_mode)).
      - C(disabled) (the default) keeps them from being started at all; C(manual) keeps them from starting at boot
        only; C(unchanged) leaves the start mode alone (then keep the primary off the network, RV(notes) says so).
      - A primary that cannot be reached cannot be fenced; RV(notes) says so.
    type: str
    choices: [disabled, manual, unchanged]
    default: disabled
extends_documentation_fragment:
  - ctxlic.license_server.attributes.platform
attributes:
  check_mode:
    support: full
    description: Reads the primary's services and reports which would be stopped and which would get O(start_mode)
      (RV(stopped), RV(fenced)); an unreachable primary without confirmation still fails.
  diff_mode:
    support: full
    description: Per existing service, its state and start mode before and after, in check mode too.
notes:
  - Undo the fence only after the DR License Server with the same name no longer serves, by setting each service's
    start mode back (RV(services) keeps the one it had in C(start_mode_before)) and starting it; RV(undo) spells it
    out. The failover runbook (C(ctxlic.license_server.dr_failover)) says so too.
seealso:
  - module: ctxlic.license_server.dr_restore
  - module: ctxlic.license_server.dr_backup
author:
  - ctxlic maintainers (@ctxlic)
"""

EXAMPLES = r"""
- name: Stop the primary License Server before the DR host takes over
  ctxlic.license_server.dr_primary:
  delegate_to: licsrv01-primary

- name: Stop the primary but only keep it from starting at boot (an operator may still start it)
  ctxlic.license_server.dr_primary:
    start_mode: manual
  delegate_to: licsrv01-primary

- name: The primary is destroyed; the operator confirmed it is powered off
  ctxlic.license_server.dr_primary:
    confirmed_down: true
  delegate_to: licsrv01-primary
"""

RETURN = r"""
changed:
  description: Whether a service was (or in check mode would be) stopped or got a new start mode.
  returned: always
  type: bool
primary:
  description: The primary's inventory name (the delegated host, else the play host).
  returned: always
  type: str
reachable:
  description: Whether the primary answered.
  returned: always
  type: bool
error:
  description: Why the primary could not be reached, or null.
  returned: always
  type: str
confirmed_down:
  description: The O(confirmed_down) option.
  returned: always
  type: bool
stopped:
  description: Services stopped (in check mode, that would be stopped), in order.
  returned: always
  type: list
  elements: str
fenced:
  description: Services whose start mode was (in check mode, would be) set to O(start_mode), in order.
  returned: always
  type: list
  elements: str
start_mode:
  description: The O(start_mode) option.
  returned: always
  type: str
undo:
  description: How to make the primary a License Server again (its services' earlier start modes, then start
    them); null when nothing was fenced because the primary did not answer or O(start_mode=unchanged).
  returned: always
  type: str
services:
  description:
    - Per service in O(services) its C(name), C(exists), C(before) and C(after) state, and C(start_mode_before)
      and C(start_mode_after) (null when unknown).
  returned: always
  type: list
  elements: dict
notes:
  description: Services missing or already stopped, and the confirmation note for an unreachable primary.
  returned: always
  type: list
  elements: str
msg:
  description: What happened, or why the task refused.
  returned: always
  type: str
"""
