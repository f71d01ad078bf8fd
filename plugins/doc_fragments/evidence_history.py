# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation fragment: ``history_db``, the evidence history that fleet_report and evidence_event share."""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  history_db:
    description:
      - The evidence history, a SQLite file path or a PostgreSQL connection.
      - A SQLite file is created with its folders on first use. A relative path is relative to the playbook
        directory. Several runs may write to it at the same time. Keep it on a local file system, not on an NFS or
        SMB share.
      - A PostgreSQL connection is a C(postgresql://user@host:port/dbname) URL or libpq keywords
        (C(host=db.example.com dbname=ctxlic user=ctxlic sslmode=verify-full)). The database must exist; the tables
        are created on first use (the user needs the right to create tables) and migrated by later versions of the
        collection. Needs the Python package C(psycopg) version 3 on the controller (C(pip install "psycopg[binary]")).
      - Do not write the password into the connection. libpq reads it from E(PGPASSWORD) or the password file
        (E(PGPASSFILE), C(~/.pgpass)), or give it in O(history_db_password). Results, messages and reports show the
        connection with any password replaced by C(***).
      - M(ctxlic.license_server.fleet_report) and M(ctxlic.license_server.evidence_event) have the same default, so
        they use the same history unless told otherwise.
      - In AWX/AAP use PostgreSQL, or put the SQLite file on storage that outlives the job, for example a persistent
        volume. The job's file system is discarded when the job ends, and with it the proof of past uploads.
    type: str
    default: ~/.local/share/ctxlic/evidence.sqlite
  history_db_password:
    description:
      - Password of the PostgreSQL connection O(history_db), for example from an Ansible vault variable. Never
        returned or logged. Not allowed with a SQLite path.
    type: str
"""
