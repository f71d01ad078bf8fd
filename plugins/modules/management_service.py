# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: management_service
short_description: Enable, disable or query the Citrix License Management Service (telemetry reporting)
version_added: 0.1.0
description:
  - Switches the Citrix License Server between automatic (electronic) and manual license telemetry reporting
    with C(ctx_license_management_service.exe -enable | -disable | -query), the command line documented in
    Citrix Licensing 11.17.2 build 49000 documentation ("Using the command line to enable or disable the License
    Management Service").
  - Always runs C(<install_dir>\LS\ctx_license_management_service.exe -query) first, parses its output on the
    controller and runs C(-enable) or C(-disable) only when the service is not already in the requested state,
    then runs C(-query) again to confirm the change.
  - When the C(-query) output cannot be understood (it names neither or both states, or the program fails) the
    module fails, returns the raw output in RV(query_output) and changes nothing; it never guesses.
  - When the program does not exist the module fails and names the full path where it looked.
options:
  state:
    description:
      - C(enabled) turns electronic reporting on (automatic upload by the License Management Service).
      - C(disabled) turns it off; manual reporting then becomes the operator's duty (see the notes) and the
        module returns a warning saying so, every run.
      - C(query) only reads the current state.
    type: str
    required: true
    choices: [enabled, disabled, query]
extends_documentation_fragment:
  - ctxlic.license_server.snapshot
  - ctxlic.license_server.install_dir
  - ctxlic.license_server.attributes.platform
attributes:
  check_mode:
    support: full
    description: Runs the read-only C(-query) and reports what would change; never runs C(-enable) or C(-disable).
  diff_mode:
    support: full
    description: Shows the service state and reporting mode before and after (not with O(state=query)).
notes:
  - Citrix Licensing 11.17.2 build 49000 documentation says C(-enable) schedules the first upload to Citrix "seven days
    after you install the License Server";
    Citrix Licensing data collection programs ("Reporting options") says the first upload occurs "approximately five
    minutes after the License
    Server first starts or restarts" and once a day thereafter, retried every 24 hours after a failure. The two
    documents disagree; do not expect an upload immediately after enabling. Check the outcome in
    C(LS\resource\cache\upload_compliance_result.xml) (the C(ctxlic.license_server.info) module reads it).
  - Disabling means "you agree to manual reporting" (Citrix Licensing 11.17.2 build 49000 documentation). The License
    Server then keeps the files for
    manual upload (Citrix Licensing data collection programs) as C(upload_compliance*.zip) in
    C(<install_dir>\LS\resource\usage) and, from
    11.17.2 build 45000, as C(upload_usage*.zip) in C(<install_dir>\LS\resource\cis_bundles\ul_usage) (Citrix Licensing
    data collection programs
    also spells it C(cis bundles)). Upload them through Citrix Insight Services (CTX472950) so that no more than
    90 days pass between successful uploads (Citrix License Telemetry FAQ; Citrix Licensing 11.17.2 build 49000
    documentation), then delete them, or the disk fills up.
  - Citrix Licensing 11.17.2 build 49000 documentation does not show the C(-query) output. The module accepts output
    that names exactly one of the words
    C(enabled) or C(disabled) and fails on anything else.
  - Telemetry upload is enabled when the License Server is installed (Citrix Licensing 11.17.2 build 49000
    documentation, "Citrix Licensing Telemetry").
seealso:
  - module: ctxlic.license_server.connectivity
  - module: ctxlic.license_server.proxy
  - module: ctxlic.license_server.info
author:
  - ctxlic maintainers (@ctxlic)
"""

EXAMPLES = r"""
- name: Make sure telemetry is uploaded automatically
  ctxlic.license_server.management_service:
    state: enabled

- name: Switch to manual reporting (the operator uploads the zips every 90 days at the latest)
  ctxlic.license_server.management_service:
    state: disabled

- name: Read the current reporting mode
  ctxlic.license_server.management_service:
    state: query
    install_dir: D:\Citrix\Licensing
  register: lms

- name: Show it
  ansible.builtin.debug:
    msg: "{{ inventory_hostname }} reports {{ lms.reporting_mode }}"
"""

RETURN = r"""
enabled:
  description:
    - Whether the License Management Service is enabled after the task (in check mode, whether it would be).
    - Null when a failed switch left the state unknown.
  returned: when the -query output was understood
  type: bool
  sample: true
previous_enabled:
  description: Whether it was enabled before the task, from the first C(-query).
  returned: when the -query output was understood
  type: bool
  sample: false
reporting_mode:
  description: C(automatic) when enabled, C(manual) when disabled.
  returned: when the -query output was understood
  type: str
  sample: automatic
install_dir:
  description: The installation directory used (from O(install_dir) or the registry).
  returned: when the install directory is known
  type: str
  sample: C:\Program Files (x86)\Citrix\Licensing
executable:
  description: Full path of C(ctx_license_management_service.exe).
  returned: when the install directory is known
  type: str
  sample: C:\Program Files (x86)\Citrix\Licensing\LS\ctx_license_management_service.exe
query_output:
  description: Raw standard output of the last C(-query) run (the one that failed to parse, on that failure).
  returned: when -query ran
  type: str
  sample: License Management Service is enabled.
query_stderr:
  description: Standard error of C(-query) when its output was not understood.
  returned: when the -query output was not understood
  type: str
  sample: ""
query_rc:
  description: Exit code of C(-query) when its output was not understood.
  returned: when the -query output was not understood
  type: int
  sample: 1
command_output:
  description: Standard output of C(-enable) or C(-disable).
  returned: when the state was changed (not in check mode)
  type: str
  sample: License Management Service disabled successfully.
"""
