# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""The host snapshot: what one ``info`` gather read, reused by the modules after it in the same play.

``ctxlic.license_server.info`` returns the raw document of its one-shot collection as the fact
``ctxlic_host_snapshot`` (:func:`make_fact`). A module that reads the host through :class:`SnapshotHost`
gets its answers from that document where the document holds them (the ``LS_Install_Dir`` registry value,
the services, the ``MyFiles`` listing and the ``.lic`` contents, ``SimpleLicenseServiceConfig.xml``,
``lmhostid -hostname``, ``ctx_license_management_service.exe -query``, ``lmstat -a -c @localhost``, the
collection itself) and from the host for everything else. The rules that keep it exact:

- it belongs to one host and one play: a snapshot whose ``host`` is not the task's target (inventory
  name, or ``delegate_to``) or whose ``play`` is not the running play is never used, so a fact cache
  cannot carry it into another run;
- path answers come only for paths under the install directory the gather read; a module working on
  another ``install_dir`` reads the host;
- the first change a module makes (any mutating call) switches the rest of that task to the host, and the
  task returns the snapshot with what it changed marked ``stale`` (:func:`with_stale`: the parts in
  :data:`PARTS`, always every part the module can change, so the items of a loop return the same); a stale
  part is read from the host from then on. A change the snapshot cannot place (an installer, a file
  elsewhere under the install directory) or that the module does not declare invalidates it all
  (:func:`invalidated_fact`), and so does every other module of this collection that reports a change (the
  action base). So no answer comes from a snapshot older than the last change the collection made. A change
  made by other modules in the play is not seen: gather again (``info``) after it, or set
  ``use_snapshot: false``.
"""

from __future__ import annotations

import base64
import binascii
import copy
import fnmatch
import hashlib
import ntpath
from datetime import datetime
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import (
    INSTALL_REG_KEY,
    LICENSING_SERVICE,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.access import (
    FileInfo,
    HostAccess,
    RunResult,
    ServiceInfo,
)

FACT = "ctxlic_host_snapshot"
SCHEMA = 1

# The parts of a snapshot a change can make stale (the rest, registry and lmhostid, change only with an
# install, which invalidates the whole snapshot).
MYFILES = "myfiles"  # the MyFiles listing and the license file contents
SERVICES = "services"  # the three services' states and start modes
LMSTAT = "lmstat"  # what lmstat -a -c @localhost says the vendor daemon serves
MANAGEMENT = "management_service"  # ctx_license_management_service.exe -query
PROXY = "proxy_config"  # SimpleLicenseServiceConfig.xml
PARTS = frozenset({MYFILES, SERVICES, LMSTAT, MANAGEMENT, PROXY})

_CONFIG_RELATIVE = ("WebServicesForLicensing", "SimpleLicenseServiceConfig.xml")


def play_token(action) -> str:
    """The running play's id (``Play._uuid``: random per ``ansible-playbook`` run); '' without a play."""
    try:
        play = action._task.get_play()
    except (AttributeError, TypeError):
        return ""
    return str(getattr(play, "_uuid", "") or "")


def target_name(action, task_vars: dict) -> str:
    """The host the task's modules run on: ``delegate_to`` when the task is delegated, else the inventory name."""
    delegate = getattr(action._task, "delegate_to", None)
    return str(delegate or task_vars.get("inventory_hostname", ""))


def make_fact(raw: dict, *, host: str, play: str, max_bytes: int) -> dict:
    """The fact ``info`` returns: the raw collection with whom it belongs to."""
    return {"schema": SCHEMA, "valid": True, "host": host, "play": play, "max_bytes": max_bytes,
            "install_dir": raw.get("install_dir"), "stale": [], "raw": raw}


def with_stale(fact: dict, parts) -> dict:
    """``fact`` with ``parts`` marked stale: those are read from the host again, the rest still answer."""
    return {**fact, "stale": sorted(set(fact.get("stale") or ()) | set(parts))}


def invalidated_fact(*, host: str, play: str, reason: str) -> dict:
    """The fact a module returns after it changed the host: no module reads from it again."""
    return {"schema": SCHEMA, "valid": False, "host": host, "play": play, "reason": reason}


def fact_in(task_vars: dict) -> Any:
    """The snapshot fact in the task's variables (``ansible_facts.ctxlic_host_snapshot``), or None."""
    facts = task_vars.get("ansible_facts")
    if isinstance(facts, dict) and FACT in facts:
        return facts[FACT]
    return task_vars.get(FACT)


def usable(fact: Any, *, host: str, play: str) -> dict | None:
    """The fact when it may be used for ``host`` in ``play``: right schema, valid, this host, this play."""
    if not isinstance(fact, dict) or fact.get("schema") != SCHEMA or fact.get("valid") is not True:
        return None
    if fact.get("host") != host or fact.get("play") != play or not host:
        return None
    if not isinstance(fact.get("raw"), dict) or not isinstance(fact.get("max_bytes"), int):
        return None
    if not isinstance(fact.get("stale"), list) or not set(fact["stale"]) <= PARTS:
        return None
    return fact


def _key(path: str | None) -> str:
    return ntpath.normpath(str(path).replace("/", "\\")).rstrip("\\").casefold() if path else ""


def _epoch(text: Any) -> float | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _content(entry: dict | None) -> bytes | None:
    """The bytes of a collected file entry, or None when the gather did not carry them."""
    if not isinstance(entry, dict) or not isinstance(entry.get("content_b64"), str):
        return None
    try:
        return base64.b64decode(entry["content_b64"], validate=True)
    except (binascii.Error, ValueError):
        return None


class SnapshotHost(HostAccess):
    """A :class:`HostAccess` that answers reads from a snapshot and passes everything else to the host.

    ``fact`` None: every call goes to the host (the module still learns whether it changed the host).
    """

    def __init__(self, inner: HostAccess, fact: dict | None):
        # HostAccess.__init__ is not called: calls, the action and the task variables are the inner host's.
        self._inner = inner
        self._action = inner._action
        self._task_vars = inner._task_vars
        self.backend = inner.backend
        self.fact = fact
        self.mutated = False
        self.changed_parts: set[str] = set()  # what this task's changes made stale
        self.untracked = False  # a change the snapshot cannot place: it is invalid as a whole
        self._stale = set(fact.get("stale") or ()) if fact else set()
        self.answered: list[str] = []  # what the snapshot answered, for tests and -vvv readers
        raw = fact["raw"] if fact else {}
        self._raw = raw
        self._base = _key(raw.get("install_dir")) if raw.get("install_dir_exists") else ""
        self._myfiles = {str(e.get("name", "")).casefold(): e for e in raw.get("myfiles") or [] if isinstance(e, dict)}

    @property  # the inner host's list, never a copy
    def calls(self):  # type: ignore[override]
        return self._inner.calls

    @property
    def check_mode(self) -> bool:
        return self._inner.check_mode

    def __getattr__(self, name: str):  # anything a backend offers beyond the interface
        if name.startswith("__") or name == "_inner":  # copy/pickle probe these before __init__ ran
            raise AttributeError(name)
        return getattr(self._inner, name)

    # -- what the snapshot holds ------------------------------------------------------------------
    @property
    def _live(self) -> bool:
        """Reads go to the host: no snapshot, or this task changed the host already."""
        return self.fact is None or self.mutated

    def _under(self, *parts: str) -> str:
        return _key(ntpath.join(self._raw.get("install_dir") or "", *parts))

    def _fresh(self, part: str) -> bool:
        """The snapshot still answers for ``part``: nothing this task or an earlier one changed made it stale."""
        return not self._live and part not in self._stale

    def _under_install_dir(self, path: str) -> bool:
        base = _key(self._raw.get("install_dir"))
        return bool(base) and (_key(path) == base or _key(path).startswith(base + "\\"))

    def _changed_path(self, path: str) -> None:
        """Note what a change of ``path`` makes stale; a path outside the install directory (the host lock,
        the staging folder) touches nothing the snapshot holds."""
        self.mutated = True
        if self._in_myfiles(path):
            self.changed_parts.add(MYFILES)
        elif self._base and _key(path) == self._under(*_CONFIG_RELATIVE):
            self.changed_parts.add(PROXY)
        elif self._under_install_dir(path) or not self._raw.get("install_dir"):
            self.untracked = True

    def _in_myfiles(self, path: str) -> bool:
        return bool(self._base) and _key(ntpath.dirname(_key(path))) == self._under("MyFiles")

    def _tool(self, argv: list[str]) -> dict | None:
        """The collected run of a read-only tool invocation the gather made (and not stale since), or None."""
        if not self._base or not argv:
            return None
        exe, args = _key(argv[0]), [str(a).casefold() for a in argv[1:]]
        if exe == self._under("LS", "lmhostid.exe") and args == ["-hostname"]:
            return self._raw.get("lmhostid")
        if exe == self._under("LS", "lmstat.exe") and args == ["-a", "-c", "@localhost"] and self._fresh(LMSTAT):
            return self._raw.get("lmstat")
        service = self._raw.get("management_service")
        if isinstance(service, dict) and exe == _key(service.get("path")) and args == ["-query"] and \
                "rc" in service and self._fresh(MANAGEMENT):
            return service
        return None

    def _answer(self, what: str) -> None:
        self.answered.append(what)

    def _change(self, *parts: str) -> None:
        self.mutated = True
        self.changed_parts.update(parts)
        if not parts:
            self.untracked = True

    # -- files ------------------------------------------------------------------------------------
    def stat(self, path: str, checksum: bool = False) -> FileInfo:
        if self._fresh(MYFILES) and self._in_myfiles(path):
            entry = self._myfiles.get(ntpath.basename(_key(path)))
            data = _content(entry)
            if entry is not None and (data is not None or not checksum):
                self._answer(f"stat {path}")
                digest = hashlib.sha1(data).hexdigest() if checksum and data is not None else None  # noqa: S324
                return FileInfo(str(entry.get("path") or path), True, False, entry.get("size"),
                                _epoch(entry.get("mtime")), digest)
            if entry is None and not checksum:
                # The gather lists every file in MyFiles (not folders): a name it does not list is not a file there.
                self._answer(f"stat {path}")
                return FileInfo(path, False)
        service = self._raw.get("management_service")
        if not self._live and isinstance(service, dict) and self._base and _key(path) == _key(service.get("path")):
            self._answer(f"stat {path}")
            return FileInfo(path, bool(service.get("exists")))
        return self._inner.stat(path, checksum=checksum)

    def read_file(self, path: str) -> bytes | None:
        if self._fresh(MYFILES) and self._in_myfiles(path):
            entry = self._myfiles.get(ntpath.basename(_key(path)))
            data = _content(entry)
            if entry is None or data is not None:
                self._answer(f"read {path}")
                return data
        if self._fresh(PROXY) and self._base and _key(path) == self._under(*_CONFIG_RELATIVE):
            entry = self._raw.get("proxy_config")
            data = _content(entry)
            if entry is None or data is not None:
                self._answer(f"read {path}")
                return data
        return self._inner.read_file(path)

    def find(self, directory: str, patterns: list[str]) -> list[FileInfo]:
        if self._fresh(MYFILES) and self._base and _key(directory) == self._under("MyFiles"):
            self._answer(f"find {directory}")
            return [FileInfo(str(e.get("path")), True, False, e.get("size"), _epoch(e.get("mtime")))
                    for name, e in sorted(self._myfiles.items())
                    if any(fnmatch.fnmatchcase(name, p.casefold()) for p in patterns)]
        return self._inner.find(directory, patterns)

    def write_file(self, path: str, content: bytes, backup: bool = True) -> dict:
        self._changed_path(path)
        return self._inner.write_file(path, content, backup=backup)

    def put_file(self, local_path: str, path: str) -> dict:
        self._changed_path(path)
        return self._inner.put_file(local_path, path)

    def fetch_file(self, path: str, local_path: str) -> None:
        self._inner.fetch_file(path, local_path)

    def rename(self, src: str, dest: str) -> None:
        self._changed_path(src)
        self._changed_path(dest)
        self._inner.rename(src, dest)

    def remove(self, path: str) -> dict:
        self._changed_path(path)
        return self._inner.remove(path)

    def make_dir(self, path: str) -> dict:
        self._changed_path(path)
        return self._inner.make_dir(path)

    def remove_verified(self, files: list[dict]) -> list[dict]:
        for entry in files:
            self._changed_path(entry["path"])
        return self._inner.remove_verified(files)

    def stat_files(self, paths: list[str], checksum: bool = False) -> list[FileInfo]:
        return self._inner.stat_files(paths, checksum)  # the snapshot holds no checksums: the host answers

    # -- programs, services, registry, disk -------------------------------------------------------
    def run(self, argv: list[str], chdir: str | None = None, *, read_only: bool = False) -> RunResult:
        if read_only and not self._live:
            collected = self._tool(argv)
            if isinstance(collected, dict) and isinstance(collected.get("rc"), int):
                self._answer(" ".join(argv))
                return RunResult(list(argv), collected["rc"], str(collected.get("stdout") or ""),
                                 str(collected.get("stderr") or ""))
        if not read_only:
            self._change(*self._run_changes(argv))
        return self._inner.run(argv, chdir=chdir, read_only=read_only)

    def _run_changes(self, argv: list[str]) -> tuple[str, ...]:
        """What running ``argv`` can change among the parts; () when the snapshot cannot tell (then invalid)."""
        exe = _key(argv[0]) if argv and self._base else ""
        if exe and exe == self._under("LS", "lmreread.exe"):
            return (LMSTAT,)
        service = self._raw.get("management_service")
        if exe and isinstance(service, dict) and exe == _key(service.get("path")):
            return (MANAGEMENT,)
        return ()

    def service(self, name: str) -> ServiceInfo:
        if self._fresh(SERVICES):
            for entry in self._raw.get("services") or []:
                if isinstance(entry, dict) and str(entry.get("name", "")).casefold() == name.casefold():
                    self._answer(f"service {name}")
                    if not entry.get("exists"):
                        return ServiceInfo(name, False)
                    return ServiceInfo(name, True, entry.get("state"), entry.get("start_mode"))
        return self._inner.service(name)

    def set_service(self, name: str, state: str) -> dict:
        self._change(SERVICES, *((LMSTAT,) if name.casefold() == LICENSING_SERVICE.casefold() else ()))
        return self._inner.set_service(name, state)

    def set_service_start_mode(self, name: str, start_mode: str) -> dict:
        self._change(SERVICES)
        return self._inner.set_service_start_mode(name, start_mode)

    def registry_value(self, key: str, name: str) -> Any:
        if not self._live and _key(key) == _key(INSTALL_REG_KEY) and "registry" in self._raw:
            registry = self._raw.get("registry")
            values = {str(k).casefold(): v for k, v in registry.items()} if isinstance(registry, dict) else {}
            if registry is None or name.casefold() in values:
                self._answer(f"registry {name}")
                return values.get(name.casefold())
        return self._inner.registry_value(key, name)

    def disk_space(self, path: str) -> dict:
        return self._inner.disk_space(path)

    def collect(self, install_dir: str | None = None, max_bytes: int = 1024 * 1024) -> dict:
        if not self._live and not self._stale and self.fact is not None and max_bytes <= self.fact["max_bytes"]:
            collected = self._raw.get("registry")
            registry: dict = collected if isinstance(collected, dict) else {}
            wanted = install_dir or registry.get("LS_Install_Dir")
            if _key(wanted) == _key(self._raw.get("install_dir")):
                self._answer("collect")
                raw = copy.deepcopy(self._raw)
                for entry in [*(raw.get("myfiles") or []), raw.get("upload_result"), raw.get("proxy_config")]:
                    if isinstance(entry, dict) and isinstance(entry.get("size"), int) and entry["size"] > max_bytes:
                        entry["content_b64"] = None  # as the host would answer with this smaller limit
                return raw
        return self._inner.collect(install_dir=install_dir, max_bytes=max_bytes)

    def staging_dir(self) -> str:
        return self._inner.staging_dir()

    def probe_many(self, targets: list[tuple[str, int]], proxy: str | None, timeout: int) -> list[dict]:
        return self._inner.probe_many(targets, proxy, timeout)
