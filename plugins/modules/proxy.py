# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: proxy
short_description: Set or remove the Citrix License Server proxy in SimpleLicenseServiceConfig.xml
version_added: 0.1.0
description:
  - Manages the C(<Proxy>host:port</Proxy>) line inside C(<Configurations>) of
    C(<install_dir>\WebServicesForLicensing\SimpleLicenseServiceConfig.xml), the manual proxy configuration of
    Citrix Licensing 11.17.2 build 49000 documentation ("Step 5 Configure a proxy server"). License downloads and
    telemetry uploads go through this proxy.
  - The proxy address is validated on the controller before the host is touched. Refused (with a message naming
    the problem, nothing changed) are credentials (C(user:password@); authenticated proxies are not supported,
    Citrix Licensing 11.17.2 build 49000 documentation), a scheme (C(http://)), a path, a missing port, port 0 or above
    65535, leading zeros,
    whitespace, control characters and malformed host names or IP addresses.
  - The file is read from the host, edited on the controller and written back only when it changes, with a
    backup. The edit keeps every other byte of the file (encoding, byte-order mark, line endings, comments,
    element order). A file that is not well-formed XML, has a DOCTYPE or entity declaration, has a root other
    than C(<Configurations>), or (when setting) holds two C(<Proxy>) elements or markup inside C(<Proxy>) is
    refused and left unchanged.
  - Elements such as C(<proxy>) or C(<PROXY>) are not the setting (the tags are case-sensitive, Citrix Licensing
    11.17.2 build 49000 documentation); they
    are reported in RV(findings) and as warnings, and left for the operator to remove.
  - After a change the C(CitrixWebServicesforLicensing) service is restarted when it is running
    (O(restart_service)).
options:
  state:
    description:
      - C(present) makes O(proxy) the configured proxy (replacing a different one).
      - C(absent) removes every C(<Proxy>) element directly inside C(<Configurations>).
    type: str
    default: present
    choices: [present, absent]
  proxy:
    description:
      - The proxy as C(host:port), for example C(proxy.example.com:3128) or C(10.211.55.5:808); an IPv6 proxy
        as C([2001:db8::1]:3128).
      - Required with O(state=present); not allowed with O(state=absent).
      - Host names are RFC 1123 names (international names in their C(xn--) form); ports are 1 to 65535.
    type: str
  restart_service:
    description:
      - Restart C(CitrixWebServicesforLicensing) after the file changed, so the new setting is read.
      - A stopped or missing service is never started; that is reported as a warning.
      - The vendor documents do not say which service rereads the file; Citrix Web Services for Licensing owns the
        C(WebServicesForLicensing) directory.
    type: bool
    default: true
extends_documentation_fragment:
  - ctxlic.license_server.snapshot
  - ctxlic.license_server.install_dir
  - ctxlic.license_server.proxy_address
  - ctxlic.license_server.attributes.platform
attributes:
  check_mode:
    support: full
    description: Reads the file, validates and plans the edit, reports whether it would change and whether the
      service would be restarted; writes nothing and restarts nothing.
  diff_mode:
    support: full
    description: Shows the file text before and after the edit (credentials inside a C(<Proxy>) value masked).
notes:
  - Citrix Licensing 11.17.2 build 49000 documentation says License Server components can inherit network proxy
    settings from Windows automatic proxy
    detection (WinHTTP) and, for the Call Home field C(SLSProxy), that Windows settings are preferred over this
    file. A proxy set here can therefore be overridden by the host's Windows proxy settings.
  - From 11.17.2.0 build 43000 the proxy can also be set in the Citrix Licensing Manager UI (Citrix Licensing 11.17.2
    build 49000 documentation); both
    edit the same setting.
  - Two C(<Proxy>) elements make the file ambiguous (which one the License Server uses is not documented);
    the module refuses to set a value until the file is fixed, and O(state=absent) removes all of them.
  - Use M(ctxlic.license_server.connectivity) afterwards to check that the proxy actually reaches the upload
    host.
seealso:
  - module: ctxlic.license_server.connectivity
  - module: ctxlic.license_server.management_service
author:
  - ctxlic maintainers (@ctxlic)
"""

EXAMPLES = r"""
- name: Send telemetry through the corporate proxy
  ctxlic.license_server.proxy:
    proxy: proxy.corp.example:8080

- name: Remove the proxy (the firewall allows cis.citrix.com now)
  ctxlic.license_server.proxy:
    state: absent

- name: Preview the change without restarting anything afterwards
  ctxlic.license_server.proxy:
    proxy: 10.211.55.5:808
    restart_service: false
  check_mode: true
  diff: true
  register: planned
"""

RETURN = r"""
changed:
  description: Whether the file was (or in check mode would be) changed.
  returned: always
  type: bool
  sample: true
path:
  description: Full path of SimpleLicenseServiceConfig.xml.
  returned: when the install directory is known
  type: str
  sample: C:\Program Files (x86)\Citrix\Licensing\WebServicesForLicensing\SimpleLicenseServiceConfig.xml
proxy:
  description: The configured proxy after the task (canonical C(host:port)); null after O(state=absent).
  returned: when the install directory is known
  type: str
  sample: proxy.corp.example:8080
previous_proxy:
  description:
    - The C(<Proxy>) value(s) before the task, several joined with C(, ); null when there was none.
    - Anything looking like credentials is masked as C(***@).
  returned: when the install directory is known
  type: str
  sample: 10.211.55.5:808
backup_file:
  description: Path of the backup made before the file was overwritten; null when nothing was written.
  returned: when the install directory is known
  type: str
  sample: C:\Lic\WebServicesForLicensing\SimpleLicenseServiceConfig.xml.1234.2026-11-22@10:00:00~
findings:
  description: Odd things found in the file, each also given as a warning.
  returned: when the install directory is known
  type: list
  elements: dict
  contains:
    code:
      description: What was found, for example C(wrong_case_tag), C(proxy_outside_configurations),
        C(duplicate_proxy), C(empty_proxy), C(proxy_whitespace), C(invalid_proxy_value).
      type: str
      sample: wrong_case_tag
    message:
      description: The finding, with the line number and what to do.
      type: str
      sample: "...SimpleLicenseServiceConfig.xml line 8: element 'proxy' is not <Proxy>; the tags are case-sensitive"
service_restarted:
  description: Whether C(CitrixWebServicesforLicensing) was (in check mode, would be) restarted.
  returned: when the install directory is known
  type: bool
  sample: true
"""
