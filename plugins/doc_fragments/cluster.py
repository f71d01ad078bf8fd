# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation fragment: ``cluster_access_point`` as the target of ``lmreread``.

For modules that run ``lmreread`` after a change. ``dr_backup`` uses the option in another sense (the host name
it records) and documents it itself.
"""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  cluster_access_point:
    description:
      - The client access point name of a clustered License Server. The reread then runs
        C(lmreread -c @<cluster_access_point> -all) instead of C(lmreread -c @localhost -all) (Citrix Licensing 11.17.2
        build 49000 documentation "Clustered
        License Servers").
      - A leading C(@) is accepted and ignored.
    type: str
"""
