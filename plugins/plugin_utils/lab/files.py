# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Files a License Server installation lays down, as the lab writes them.

Contents follow seed 004 where it shows them (the SimpleLicenseServiceConfig.xml sample, the
startup license and options file names). Where the seeds are silent the lab uses the standard
FlexNet form and says so: the startup license's ``SERVER this_host ANY <LSPORT>`` and
``VENDOR CITRIX PORT=<VDPORT>`` lines carry the ports, and Apache's ``Listen <WSLPORT>`` line in
``WebServicesForLicensing\\Apache\\conf\\httpd.conf`` carries the web services port.
"""

from __future__ import annotations

SIMPLE_LICENSE_SERVICE_CONFIG = (
    '<?xml version="1.0" encoding="utf-8"?>\r\n'
    "<Configurations>\r\n"
    "<EncoreConfiguration>\r\n"
    "<SamplingPeriod>15</SamplingPeriod>\r\n"
    "<RetentionTime>180</RetentionTime>\r\n"
    "<Enabled>true</Enabled>\r\n"
    "</EncoreConfiguration>\r\n"
    "</Configurations>\r\n"
)


def startup_license(ls_port: int, vd_port: int) -> str:
    return (
        "# Citrix start-up license. Do not edit (seed 004: editing makes license files unusable).\r\n"
        f"SERVER this_host ANY {ls_port}\r\n"
        f"VENDOR CITRIX PORT={vd_port}\r\n"
        "USE_SERVER\r\n"
        "INCREMENT CITRIX CITRIX 2038.0101 permanent uncounted \\\r\n"
        "\tVENDOR_STRING=;LT=SYS;GP=720;SA=0 HOSTID=ANY ISSUED=01-jan-2008 \\\r\n"
        '\tNOTICE="Citrix Systems" SIGN="0000 1111 2222 3333"\r\n'
        "INCREMENT CTXLSDIAG CITRIX 2038.0101 permanent uncounted \\\r\n"
        "\tVENDOR_STRING=;LT=SYS;GP=720;SA=0 HOSTID=ANY ISSUED=01-jan-2008 \\\r\n"
        '\tNOTICE="Citrix Systems" SIGN="4444 5555 6666 7777"\r\n'
    )


OPTIONS_FILE = "# Citrix options file (CITRIX.opt). Never delete it (seed 004).\r\n"


def httpd_conf(wsl_port: int) -> str:
    return f"# Apache configuration for Citrix Web Services for Licensing\r\nListen {wsl_port}\r\n"


def self_signed_certificate(hostname: str, host_id: str) -> tuple[str, str]:
    """(``server.crt``, ``server.key``) the lab's installer writes to ``LS\\conf``: stand-ins, not real key material.

    Seed 004 ~2853: the installation generates a self-signed certificate ("Use this procedure if you don't want
    to use the self-signed certificate that is generated during installation"); ~2936: the replacement
    ``server.crt`` and ``server.key`` go to ``LS\\conf``; ~3579: ``LS\\conf`` "Includes server configuration and
    certificates". The document does not name the generated files; the lab gives them the two names it does give
    (docs/lab.md). The text is PEM-shaped (the ``openssl pkcs12 -out server.crt`` output of ~2910) and differs
    per lab host (``host_id``), as two installations' self-signed certificates do.
    """
    body = f"lab self-signed certificate of {hostname} (lab host {host_id})"
    return (f"-----BEGIN CERTIFICATE-----\r\n{body}\r\n-----END CERTIFICATE-----\r\n",
            f"-----BEGIN PRIVATE KEY-----\r\nlab private key of {body}\r\n-----END PRIVATE KEY-----\r\n")
