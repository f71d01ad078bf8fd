# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: info
short_description: Gather the state of a Citrix License Server in one round trip
version_added: 0.1.0
description:
  - Reads, without changing anything, what the rest of the collection and the fleet compliance report need
    to know about one Citrix License Server (LS) host.
  - On Windows hosts it makes one C(ansible.windows.win_powershell) call running a read-only collection script
    shipped with the collection; on lab hosts (those that define C(ctxlic_lab_root)) it makes one call to the
    lab's collection program. Everything returned is parsed on the controller.
  - Sources of each field are the documented locations of the Citrix Licensing 11.17.2 build 49000
    documentation and the registry key C(HKLM\SOFTWARE\WOW6432Node\Citrix\LicenseServer\Install).
options:
  install_dir:
    description:
      - The License Server installation directory.
      - When omitted it is read from the registry value C(LS_Install_Dir).
    type: str
  max_file_bytes:
    description:
      - Largest file whose content is returned for parsing (license files, the upload result, the proxy XML).
      - Larger files are listed with their size and not parsed.
    type: int
    default: 1048576
  warn_days:
    description:
      - When at most this many days are left until the upgrade deadline, C(server.window.due_soon) is true.
    type: int
    default: 30
  catalog_cache:
    description:
      - Path on the controller of the release catalog cache written by M(ctxlic.license_server.upgrade_window)
        when it refreshes the catalog. When the file exists its releases are merged with the catalog shipped
        with the collection; otherwise the shipped catalog alone decides the window status.
      - A relative path is taken from the playbook's directory; C(~) is the controller user's home directory.
    type: path
    default: ~/.cache/ctxlic/release_catalog.json
  las:
    description:
      - The License Activation Service (LAS) state of this License Server, as the Citrix Licensing Manager shows it.
        The vendor documents no file, registry value or command that shows the LAS registration, activation or last
        contact on the server, so the collection cannot read it and takes it from here.
      - When omitted, the host variable C(ctxlic_las) is used (same keys); when neither is set the LAS state is
        unknown and the fleet report says so (never PASS).
      - Keys C(registered) (bool, registered with Citrix Cloud), C(activated) (bool, products activated through
        LAS), C(mode) (C(online) or C(offline)), C(last_contact) (ISO 8601 time of the last contact with the LAS
        endpoint; for offline mode the last activation blob exchange), C(source) (free text, where it was read).
      - A wrong key or type fails the task with a message naming it, before the host is contacted.
    type: dict
  cluster_access_point:
    description:
      - The client access point name when this License Server is a cluster node. License files for a cluster name
        the client access point as the host name (Citrix Licensing 11.17.2 build 49000 documentation, Clustered
        License Servers); it is returned as C(server.cluster_access_point) and the fleet report judges host name
        bindings against it instead of C(server.hostname).
      - When omitted, the host variable C(ctxlic_cluster_access_point) is used; a name of 15 characters or more
        gets a warning (the document asks for fewer than 15, a NetBIOS restriction).
    type: str
  use_snapshot:
    description:
      - With V(true), the gather this play already made of this host (the fact C(ctxlic_host_snapshot)) answers
        instead of a new one, when nothing changed the host since it was made (every module of this collection
        that changes the host marks what it changed stale, or invalidates it) and it was made for the same
        O(install_dir) and O(max_file_bytes).
        Otherwise the host is read as with V(false). RV(remote_calls) is then V(0) and RV(snapshot_reused)
        V(true).
      - For a gather that verifies the result of a play (C(playbooks/site.yml)), so a host nothing was changed
        on is not read again.
    type: bool
    default: false
extends_documentation_fragment:
  - ctxlic.license_server.license_lines
  - ctxlic.license_server.attributes.read_only
  - ctxlic.license_server.attributes.platform
notes:
  - Host names in license files are case-sensitive; C(server.hostname) is what C(lmhostid -hostname) prints,
    or the Windows computer name when the License Server is not installed.
seealso:
  - module: ansible.windows.win_powershell
author:
  - ctxlic maintainers (@ctxlic)
"""

EXAMPLES = r"""
- name: Gather the License Server state
  ctxlic.license_server.info:
  register: ls

- name: Show the installed version
  ansible.builtin.debug:
    msg: "{{ inventory_hostname }} runs {{ ls.server.version.text | default('no License Server') }}"

- name: Gather with the LAS state read from the Citrix Licensing Manager (the server cannot show it)
  ctxlic.license_server.info:
    las:
      registered: true
      activated: true
      mode: online
      last_contact: "2026-12-01T06:00:00Z"
      source: Licensing Manager, 2026-12-01

- name: Gather from a non-default installation directory
  ctxlic.license_server.info:
    install_dir: D:\Citrix\Licensing
"""

RETURN = r"""
backend:
  description: Which host access backend answered.
  returned: always
  type: str
  sample: windows
remote_calls:
  description: Number of module calls made on the host (one for this module; none when the snapshot was reused).
  returned: always
  type: int
  sample: 1
snapshot_reused:
  description: Whether the record was built from this play's earlier gather (O(use_snapshot)) instead of reading
    the host.
  returned: always
  type: bool
  sample: false
ansible_facts:
  description: Facts set for this host.
  returned: always
  type: dict
  contains:
    ctxlic_host_snapshot:
      description:
        - The raw document the gather read (C(raw)) with the host (C(host)), the play (C(play)), the install
          directory (C(install_dir)), the content limit (C(max_bytes)) and the format version (C(schema)) it
          belongs to. The modules with the option C(use_snapshot) read from it instead of the host; a module
          that changes the host returns it with what it changed listed in C(stale), or with C(valid=false). See
          the collection's docs/architecture.md, "The host snapshot".
        - Its format is internal and may change; read the parsed record in RV(server) instead.
      returned: always
      type: dict
server:
  description: The per-server record.
  returned: success
  type: dict
  contains:
    host:
      description: The inventory host name.
      type: str
      returned: always
      sample: ls01
    reachable:
      description: Whether the host answered.
      type: bool
      returned: always
    failed:
      description: Whether the gather failed (see RV(server.error)).
      type: bool
      returned: always
    error:
      description: Why the gather failed, or null.
      type: str
      returned: always
    observed_at:
      description: The host's clock when the data was read (UTC, ISO 8601).
      type: str
      returned: always
      sample: "2026-11-22T10:00:00Z"
    collector:
      description: Which collection script produced the data, C(powershell) or C(lab).
      type: str
      returned: always
    installed:
      description: Whether the License Server registry key exists.
      type: bool
      returned: always
    hostname:
      description: The LS host name as C(lmhostid -hostname) prints it (case-sensitive), else the computer name.
      type: str
      returned: always
      sample: LS01
    cluster_access_point:
      description:
        - The client access point name given with O(cluster_access_point) or C(ctxlic_cluster_access_point).
        - Only present on a cluster node.
      type: str
      returned: when a client access point was given
      sample: LSCLUSTER01
    macs:
      description: MAC addresses of the host's enabled network adapters.
      type: list
      elements: str
      returned: always
    version:
      description: Installed version from the registry value C(Version), parsed; null when not installed.
      type: dict
      returned: always
      contains:
        text:
          description: The registry text.
          type: str
          sample: 11.17.2.0 build 45000
        major:
          description: Major version.
          type: int
        minor:
          description: Minor version.
          type: int
        patch:
          description: Patch version.
          type: int
        build:
          description: Build number, null when the text carries none.
          type: int
        build_known:
          description: Whether the text named a build.
          type: bool
        error:
          description: Why the text could not be parsed (only when it could not).
          type: str
    install_dir:
      description: The installation directory (registry C(LS_Install_Dir) or the option).
      type: str
      returned: always
      sample: C:\Program Files (x86)\Citrix\Licensing
    services:
      description: The three License Server services.
      type: list
      elements: dict
      returned: always
      contains:
        name:
          description: Service name.
          type: str
          sample: Citrix Licensing
        exists:
          description: Whether the service exists.
          type: bool
        state:
          description: Service state as Windows reports it, for example C(running) or C(stopped).
          type: str
        start_mode:
          description: Start mode, for example C(auto).
          type: str
    management_service:
      description: License Management Service state from C(ctx_license_management_service.exe -query).
      type: dict
      returned: always
      contains:
        enabled:
          description: True or false, null when the output could not be understood.
          type: bool
        raw:
          description: The raw C(-query) output.
          type: str
    reporting_mode:
      description: C(automatic) (service enabled), C(manual) (disabled) or C(unknown).
      type: str
      returned: always
    licenses:
      description: License files found in C(MyFiles).
      type: dict
      returned: always
      contains:
        files:
          description:
            - One entry per C(.lic) file with C(name), C(path), C(size), C(mtime) and the parsed content
              (C(binding), C(features) with counts, expiry and CSS dates, C(errors), C(warnings)).
            - License signatures are never returned.
          type: list
          elements: dict
        summary:
          description:
            - Per-feature installed totals of active lines, and the expired, superseded and not-yet-started
              lines still installed (Citrix licensing telemetry and compliance status counts these against compliance).
          type: dict
        in_use:
          description: In-use counts per feature from C(lmstat -a) when it answers.
          type: dict
        lmstat_parsed:
          description: Whether the C(lmstat -a) output could be read.
          type: bool
    upload:
      description:
        - The last upload attempt, from C(LS\resource\cache\upload_compliance_result.xml) (Citrix Licensing data
          collection programs).
        - Null when the host could not be read.
      type: dict
      returned: always
      contains:
        status:
          description: C(success), C(failure) or C(unknown) (file missing, empty, not XML, no time).
          type: str
        code:
          description: The C(Code) element, kept verbatim (for example C(CTX_UPLOADER_ERROR_NETWORK_OPEN)).
          type: str
        message:
          description: The C(Msg) element.
          type: str
        arg:
          description: The C(Arg) element.
          type: str
        time:
          description: The C(t) element (unix seconds) as UTC ISO 8601.
          type: str
        upload_type:
          description: The C(UploadType) element.
          type: str
        age_days:
          description: Days from RV(server.upload.time) to RV(server.observed_at).
          type: float
        reason:
          description: Why the status is C(unknown).
          type: str
        hint:
          description: What to do about a failure (for example configure a proxy with M(ctxlic.license_server.proxy)).
          type: str
    pending_uploads:
      description:
        - Manual-upload files still on the server, C(LS\resource\usage\upload_compliance*.zip) and
          C(LS\resource\cis_bundles\ul_usage\upload_usage*.zip) (also the C(cis bundles) spelling, Citrix Licensing
          data collection programs).
      type: dict
      returned: always
      contains:
        count:
          description: Number of files.
          type: int
        bytes:
          description: Their total size.
          type: int
        oldest:
          description: Modification time of the oldest file.
          type: str
        newest:
          description: Modification time of the newest file.
          type: str
        files:
          description: One entry per file with C(path), C(size) and C(mtime).
          type: list
          elements: dict
    proxy:
      description: The C(<Proxy>) setting of C(WebServicesForLicensing\SimpleLicenseServiceConfig.xml) (Citrix
        Licensing 11.17.2 build 49000 documentation).
      type: dict
      returned: always
      contains:
        configured:
          description: True when one C(<Proxy>) is set, false when none, null when the file cannot tell.
          type: bool
        value:
          description: The proxy as C(host:port).
          type: str
        findings:
          description: Anything odd, for example a C(<proxy>) element in the wrong case (tags are case-sensitive).
          type: list
          elements: dict
    window:
      description:
        - The six-month upgrade window status (see M(ctxlic.license_server.upgrade_window) for every key),
          computed at RV(server.observed_at) from the release catalog. Null when the LS is not installed.
      type: dict
      returned: always
      contains:
        status:
          description: C(current), C(within_window), C(overdue), C(below_floor) or C(unknown).
          type: str
        deadline:
          description: The deadline that decides the status.
          type: str
        days_left:
          description: Days until the deadline.
          type: int
        days_overdue:
          description: Days past the deadline.
          type: int
        latest:
          description: Newest release known to the catalog.
          type: str
    licensing:
      description:
        - Licensing technology of the server. License files come from C(MyFiles); LAS capability from the build
          (online activation from build 51000, online and offline from build 53100, Citrix Licensing 11.17.2 build
          52100 documentation, License Activation Service); the LAS state from O(las) or C(ctxlic_las).
      type: dict
      returned: when the gather worked
      contains:
        technology:
          description:
            - C(files) (license files only), C(las) (LAS only), C(both), C(none) (neither) or C(unknown) (license
              files or not, the LAS state was not given and the build can do LAS).
          type: str
          sample: both
        license_files:
          description: Names of the license files in C(MyFiles), C(citrix_startup.lic) excluded.
          type: list
          elements: str
        las:
          description:
            - C(capable_online), C(capable_offline) (from the build; null when unknown), C(registered), C(activated),
              C(mode), C(last_contact), C(source) (from O(las) / C(ctxlic_las); null when not given),
              C(offline_activation) (filled by M(ctxlic.license_server.fleet_report) from evidence events).
          type: dict
        thresholds:
          description: The minimum builds for online and offline LAS activation used.
          type: dict
          sample: {online_min_build: 51000, offline_min_build: 53100}
    myfiles:
      description: Every file name in C(MyFiles).
      type: list
      elements: str
      returned: when the install directory exists
    disk:
      description: Free and total bytes of the install volume.
      type: dict
      returned: always
      contains:
        free_bytes:
          description: Free bytes.
          type: int
        total_bytes:
          description: Volume size in bytes.
          type: int
    problems:
      description: Human-readable problems found while reading the host (broken layout, stopped services).
      type: list
      elements: str
      returned: always
"""
