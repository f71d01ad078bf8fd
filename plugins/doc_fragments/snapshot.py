# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation fragment: ``use_snapshot`` of the modules that reuse the gather of ``info``."""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  use_snapshot:
    description:
      - Reuse what M(ctxlic.license_server.info) read from this host earlier in the same play (the fact
        C(ctxlic_host_snapshot)) instead of reading it again. It holds the install directory, the services, the files in
        C(MyFiles) and their contents, C(SimpleLicenseServiceConfig.xml), C(lmhostid -hostname), the License
        Management Service state and C(lmstat -a). Anything else is read from the host.
      - The snapshot is used only for the host and the play it was gathered for, and only for paths under the
        install directory it read. A module of this collection that changes the host returns it with what that
        module can change marked stale (read from the host again by later modules), or invalidated when the
        change cannot be placed. Without a usable snapshot the module reads the host, as with V(false).
      - Set V(false) when something outside this collection changed the host since the gather in this play
        (for example an C(ansible.windows) task), or gather again with M(ctxlic.license_server.info).
    type: bool
    default: true
"""
