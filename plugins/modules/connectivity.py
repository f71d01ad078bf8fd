# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: connectivity
short_description: Check from a Citrix License Server that telemetry and LAS activation can reach the vendor
version_added: 0.1.0
description:
  - Read-only probe run on the License Server itself. It resolves O(upload_host), opens a TCP connection to
    O(upload_host):O(port) directly and, when a proxy is configured (or given in O(proxy)), sends an HTTP
    C(CONNECT upload_host:port) request through that proxy.
  - Citrix Licensing 11.17.2 build 49000 documentation; Citrix Licensing data collection programs ("Prerequisites to
    successfully upload telemetry data") require outbound access to
    C(https://cis.citrix.com/) from the License Server, through a firewall rule or a proxy.
  - On Windows hosts the probe is one C(ansible.windows.win_powershell) call running a read-only script shipped
    with the collection; the steps are judged on the controller. Reading the proxy configuration costs one
    registry lookup and one file read before it (none when O(proxy) is given).
  - It probes the License Activation Service (LAS) endpoints the same way, through the same proxy (RV(las)). After
    2026-04-15 LAS is the only way to activate on-premises products (CTX695107, License Activation Service -
    Replacing Our End-of-Life File-Based Licensing) and an online-activated License Server needs a connection to
    LAS daily (Citrix Licensing current release, License Activation Service,
    U(https://docs.citrix.com/en-us/licensing/current-release/license-activation-service.html)); without it the
    products enter license caching mode. Each endpoint costs one more remote call.
  - The verdict tells a DNS failure (the C(WSAHOST_NOT_FOUND) case of Citrix Licensing data collection programs), a
    blocked direct route, a
    working direct route, a working proxy and a failing proxy apart, with a hint how to fix it.
options:
  upload_host:
    description: The host the License Server uploads telemetry to.
    type: str
    default: cis.citrix.com
  port:
    description: TCP port of the upload host (HTTPS).
    type: int
    default: 443
  proxy:
    description:
      - Probe through this proxy (C(host:port)) instead of the one in SimpleLicenseServiceConfig.xml, for example
        to test a proxy before setting it with M(ctxlic.license_server.proxy).
      - When omitted the proxy configured in C(<install_dir>\WebServicesForLicensing\SimpleLicenseServiceConfig.xml)
        is probed, if there is one.
    type: str
  install_dir:
    description:
      - The License Server installation directory, used to find the proxy configuration.
      - When omitted it is read from the registry value C(LS_Install_Dir) of
        C(HKLM\SOFTWARE\WOW6432Node\Citrix\LicenseServer\Install); when that is missing too, only the direct path
        is probed and a warning says so.
    type: str
  timeout:
    description: Seconds each network step may take (1 to 300).
    type: int
    default: 10
  assume_direct_fallback:
    description:
      - The vendor documents do not say whether the License Server falls back to a direct connection when its configured
        proxy fails. By default a failing configured proxy is a failure (RV(verdict=proxy_failed)) even when the
        direct route works; set to true to judge that case C(direct_ok) with a warning.
    type: bool
    default: false
  las_endpoints:
    description:
      - The LAS endpoints to probe, C(host) or C(host:port) (port 443 when omitted). An empty list probes none.
      - The default is the list shipped in the collection's C(plugins/plugin_utils/data/las.yml),
        C(api.cloud.com) and C(api-us.cloud.com), the Citrix LAS backends for Citrix Cloud IDs in the US, EU and
        APS regions as the vendor's uberAgent guide "Configuring uberAgent Proxy Settings for LAS Licensing"
        lists them
        (U(https://docs.citrix.com/en-us/uberagent/8-x/practice-guides/configuring-uberagent-proxy-settings-for-las-licensing)).
        The License Server documentation found does not name the endpoint; for a Citrix Cloud ID in the Japan
        region give C([api.citrixcloud.jp]).
    type: list
    elements: str
extends_documentation_fragment:
  - ctxlic.license_server.snapshot
  - ctxlic.license_server.proxy_address
  - ctxlic.license_server.attributes.read_only
  - ctxlic.license_server.attributes.platform
notes:
  - The probe checks the network path the way the License Server uses it; it does not upload anything and does not
    check TLS. A success here and a failed upload in C(upload_compliance_result.xml) point at something past the
    TCP connection (TLS inspection, the proxy's policy for the upload itself).
  - Citrix Licensing 11.17.2 build 49000 documentation says License Server components can inherit Windows (WinHTTP)
    proxy settings and prefer them over
    SimpleLicenseServiceConfig.xml for some traffic; this probe tests the direct path and the file's proxy only.
  - Authenticated proxies are not supported by the License Server (Citrix Licensing 11.17.2 build 49000 documentation);
    a proxy answering C(407) is
    reported as failing with that hint.
  - On lab hosts (those that define C(ctxlic_lab_root)) the answer comes from the host's simulated network model,
    the same model that decides the lab's simulated daily uploads.
seealso:
  - module: ctxlic.license_server.proxy
  - module: ctxlic.license_server.management_service
author:
  - ctxlic maintainers (@ctxlic)
"""

EXAMPLES = r"""
- name: Can this License Server reach cis.citrix.com?
  ctxlic.license_server.connectivity:
  register: reach

- name: Fail with the fix when it cannot
  ansible.builtin.assert:
    that: reach.ok
    fail_msg: "{{ reach.message }} {{ reach.hint }}"

- name: Can it reach the License Activation Service (Japan-region Citrix Cloud ID)?
  ctxlic.license_server.connectivity:
    las_endpoints: [api.citrixcloud.jp]
  register: reach_las

- name: Test a proxy before configuring it
  ctxlic.license_server.connectivity:
    proxy: proxy.corp.example:8080
    timeout: 5
"""

RETURN = r"""
changed:
  description: Always false.
  returned: always
  type: bool
  sample: false
upload_host:
  description: The host that was probed.
  returned: success
  type: str
  sample: cis.citrix.com
port:
  description: The port that was probed.
  returned: success
  type: int
  sample: 443
proxy:
  description: The proxy probed (C(host:port)), or null when none was.
  returned: success
  type: str
  sample: proxy.corp.example:8080
proxy_source:
  description:
    - Where the proxy came from. C(option) (O(proxy)), C(config) (SimpleLicenseServiceConfig.xml), C(none) (no
      proxy configured, or no file) or C(unknown) (the file is broken or ambiguous; only the direct path was
      probed).
  returned: success
  type: str
  sample: config
config_path:
  description: SimpleLicenseServiceConfig.xml that was read, or null when none was.
  returned: success
  type: str
  sample: C:\Program Files (x86)\Citrix\Licensing\WebServicesForLicensing\SimpleLicenseServiceConfig.xml
findings:
  description: Odd things found in the proxy configuration (also given as warnings).
  returned: success
  type: list
  elements: dict
  contains:
    code:
      description: What was found, for example C(wrong_case_tag) or C(config_missing).
      type: str
      sample: wrong_case_tag
    message:
      description: The finding and what to do.
      type: str
      sample: "...line 8: element 'proxy' is not <Proxy>; the tags are case-sensitive (Citrix Licensing 11.17.2 build
        49000 documentation)"
steps:
  description: What each probe step found.
  returned: success
  type: dict
  contains:
    dns:
      description: Name resolution of the upload host on the License Server.
      type: dict
      contains:
        ok:
          description: Whether the name resolved.
          type: bool
        addresses:
          description: The addresses it resolved to.
          type: list
          elements: str
        error:
          description: The resolver's error, or null.
          type: str
    direct:
      description: TCP connection to the upload host without a proxy.
      type: dict
      contains:
        ok:
          description: Whether the connection opened.
          type: bool
        error:
          description: Why it did not, or null.
          type: str
    proxy:
      description: The CONNECT test through the proxy; null when no proxy was probed.
      type: dict
      contains:
        configured:
          description: Always true when present.
          type: bool
        address:
          description: The proxy (C(host:port)).
          type: str
        ok:
          description: Whether the proxy answered the CONNECT with a 2xx status.
          type: bool
        status_line:
          description: The proxy's status line, for example C(HTTP/1.1 200 Connection established).
          type: str
        status_code:
          description: The status code from it, or null when the answer was not an HTTP status line.
          type: int
        error:
          description: Why the proxy could not be asked (connection error, invalid configured value), or null.
          type: str
verdict:
  description: One of C(direct_ok), C(proxy_ok), C(dns_failure), C(blocked), C(proxy_failed).
  returned: success
  type: str
  sample: blocked
ok:
  description: Whether the License Server can reach the upload host the way it is configured.
  returned: success
  type: bool
  sample: false
target:
  description: C(upload_host:port).
  returned: success
  type: str
  sample: cis.citrix.com:443
message:
  description: The verdict in one sentence.
  returned: success
  type: str
  sample: The License Server resolves cis.citrix.com but cannot open TCP 443 to it (connect timed out).
hint:
  description: What to do about it.
  returned: success
  type: str
  sample: Open outbound TCP 443 from the License Server to cis.citrix.com with a firewall rule, or configure a proxy.
fix:
  description: C(proxy), C(firewall) or C(dns); null when nothing needs fixing.
  returned: success
  type: str
  sample: firewall
las:
  description: One result per LAS endpoint probed, judged like the upload host.
  returned: success
  type: list
  elements: dict
  contains:
    endpoint:
      description: The endpoint host name.
      type: str
      returned: always
      sample: api.cloud.com
    port:
      description: The TCP port probed.
      type: int
      returned: always
      sample: 443
    steps:
      description: The raw probe steps (same keys as RV(steps)).
      type: dict
      returned: always
    verdict:
      description: One of C(direct_ok), C(proxy_ok), C(dns_failure), C(blocked), C(proxy_failed).
      type: str
      returned: always
      sample: blocked
    ok:
      description: Whether the endpoint is reachable the way the License Server is configured.
      type: bool
      returned: always
    target:
      description: C(endpoint:port).
      type: str
      returned: always
    message:
      description: The verdict in one sentence.
      type: str
      returned: always
    hint:
      description: What to do about it.
      type: str
      returned: always
    fix:
      description: C(proxy), C(firewall) or C(dns); null when nothing needs fixing.
      type: str
      returned: always
las_ok:
  description: True when every LAS endpoint probed is reachable; null when none was probed.
  returned: success
  type: bool
  sample: false
las_message:
  description: The LAS verdict in one sentence, with the fix for the first failing endpoint.
  returned: success
  type: str
las_source:
  description: Where the endpoint list came from (the vendor document, or the las_endpoints option).
  returned: success
  type: str
addresses:
  description: The addresses the upload host resolved to on the License Server.
  returned: success
  type: list
  elements: str
  sample: ["203.0.113.10"]
"""
