# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation fragment: ``history_db``, the evidence history that fleet_report and evidence_event share."""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  history_db:
    description:
      - SQLite file of the evidence history. It is created with its folders on first use.
      - M(ctxlic.license_server.fleet_report) and M(ctxlic.license_server.evidence_event) have the same default, so
        they use the same file unless told otherwise.
      - A relative path is relative to the playbook directory.
      - In AWX/AAP put it on storage that outlives the job, for example a persistent volume. The job's file system is
        discarded when the job ends, and with it the proof of past uploads.
      - Several runs may write to it at the same time. Keep it on a local file system, not on an NFS or SMB share.
    type: path
    default: ~/.local/share/ctxlic/evidence.sqlite
"""
