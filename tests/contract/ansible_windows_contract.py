# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Contract checks for the calls the host backends make to Ansible modules.

The windows backend (``plugins/plugin_utils/_host/windows_backend.py``) touches a target only through
``ansible.windows.*`` modules; the lab backend uses ``ansible.builtin.*``. Neither can be run
against a real Windows host in CI, so these checks keep them honest against the *installed*
module documentation instead:

* :func:`validate_call` turns a module's documented ``options`` into an argument spec and runs
  ``ArgumentSpecValidator`` on the arguments the backend passes: unknown names, wrong types,
  bad choices and missing required options are reported. ``mutually_exclusive`` and friends are
  not part of the documentation, so they are not checked.
* :func:`validate_return_keys` checks that every result key the backend reads is documented in
  the module's ``RETURN`` (walking ``contains``).
* :class:`RecordingExecutor` stands in for ``ActionBase._execute_module``: it records every call,
  answers with canned results and can tell which result keys the backend actually read.

Return-key paths use a small dotted grammar: ``stat.exists`` (a key below a dict),
``files[].path`` (a key of each element of a list), ``output[]`` (the elements of a list).
A documented value without ``contains`` (or with an empty one, as ``win_powershell``'s
``result``) is free-form: anything below it is accepted, because the module documents no
structure there. The keys every module may return (:data:`COMMON_RETURN_KEYS`) are always
accepted at the top level.

Documentation is what ``ansible-doc --json`` prints, so documentation fragments are merged exactly as
Ansible merges them (``ansible.builtin.copy`` gets ``mode``/``owner`` and ``win_package`` its ``url_*``
options from fragments) without importing ansible-core's private documentation helpers, and without
installing Ansible's collection finder into the test process. The modules the host backends
and these tests name are read in one ``ansible-doc`` run (a run costs seconds); any other module on its
own when first asked for.
"""

from __future__ import annotations

import copy
import functools
import inspect
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import ansible
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError

__all__ = [
    "COMMON_RETURN_KEYS",
    "ContractError",
    "ModuleCall",
    "RecordingExecutor",
    "UnexpectedModuleCall",
    "module_doc",
    "module_source",
    "path_options",
    "validate_call",
    "validate_return_keys",
]

# Keys Ansible's plumbing may put in any module result, so modules do not document them in RETURN:
# the common module result keys, ``unreachable`` (connection failures) and the ``module_stdout`` /
# ``module_stderr`` that ActionBase._execute_module returns when a module's output is not JSON.
COMMON_RETURN_KEYS = frozenset(
    {
        "changed",
        "failed",
        "msg",
        "skipped",
        "warnings",
        "deprecations",
        "exception",
        "invocation",
        "unreachable",
        "module_stdout",
        "module_stderr",
    }
)

# Types ArgumentSpecValidator understands. Documentation may use others (``sid`` in ansible.windows):
# those reach the module as strings, so they are validated as ``str``.
_VALIDATOR_TYPES = frozenset(
    {"str", "list", "dict", "bool", "int", "float", "path", "raw", "jsonarg", "json", "bytes", "bits"}
)
_SCALAR_TYPES = frozenset({"str", "int", "bool", "float", "path", "bytes", "bits"})
# Every ansible.windows / ansible.builtin module the host backends and these contract tests name is
# documented in one ansible-doc run.
_NAMING_SOURCES = (Path(__file__).resolve().parents[2] / "plugins" / "plugin_utils" / "_host", Path(__file__).parent)
_MODULE_NAME_RE = re.compile(r"\bansible\.(?:windows|builtin)\.\w+")
_SEGMENT_RE = re.compile(r"^(?P<name>[^.\[\]]+)(?P<brackets>(?:\[\])*)$")
_ANSIBLE_INTERNAL_PREFIX = "_ansible_"


class ContractError(LookupError):
    """A module or documentation fragment could not be found or its documentation could not be read."""


class UnexpectedModuleCall(AssertionError):
    """The backend called a module the test did not give a response for."""


# --------------------------------------------------------------------------------------------------
# Locating and loading documentation
# --------------------------------------------------------------------------------------------------


def _split_fqcn(fqcn: str) -> tuple[str, str, str]:
    parts = fqcn.split(".")
    if len(parts) != 3 or not all(parts):
        raise ContractError(
            f"module name {fqcn!r} is not a fully qualified collection name (namespace.collection.module); "
            "backends must call modules by FQCN, e.g. 'ansible.windows.win_stat'"
        )
    return parts[0], parts[1], parts[2]


def _collection_search_roots() -> list[Path]:
    """Directories that may hold ``ansible_collections/``, in Ansible's order (configured path, then sys.path)."""
    configured = [p for p in os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep) if p]
    roots: list[Path] = []
    for entry in [*configured, *sys.path]:
        path = Path(entry or ".")
        if path.name == "ansible_collections":
            path = path.parent
        if path not in roots:
            roots.append(path)
    return roots


def _collection_dir(namespace: str, collection: str) -> Path | None:
    for root in _collection_search_roots():
        candidate = root / "ansible_collections" / namespace / collection
        if candidate.is_dir():
            return candidate
    return None


def _plugin_file(namespace: str, collection: str, plugin_dir: str, name: str, suffixes: Iterable[str]) -> Path:
    if (namespace, collection) == ("ansible", "builtin"):
        # ansible-core keeps builtin modules in ansible/modules and other plugins in ansible/plugins/<type>.
        core = Path(ansible.__file__).parent
        bases = [core / "modules" if plugin_dir == "plugins/modules" else core / plugin_dir]
    else:
        coll = _collection_dir(namespace, collection)
        if coll is None:
            raise ContractError(
                f"collection {namespace}.{collection} is not installed "
                "(searched ANSIBLE_COLLECTIONS_PATH and sys.path); "
                "install it into the virtualenv (pip install ansible) or with ansible-galaxy collection install"
            )
        bases = [coll / plugin_dir]
    for base in bases:
        for suffix in suffixes:
            candidate = base / f"{name}{suffix}"
            if candidate.is_file():
                return candidate
    raise ContractError(
        f"no documentation file for {namespace}.{collection}.{name} in {', '.join(str(b) for b in bases)} "
        f"(looked for {', '.join(name + s for s in suffixes)}); check the module name"
    )


def _ansible_doc(fqcns: Iterable[str]) -> dict[str, Any]:
    """``ansible-doc -t module --json`` on ``fqcns``: {fqcn: {"doc": ..., "return": ..., ...}} for those it found."""
    ansible_doc = Path(sys.executable).with_name("ansible-doc")
    command = [str(ansible_doc if ansible_doc.exists() else "ansible-doc"), "-t", "module", "--json", *fqcns]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    try:
        return json.loads(done.stdout or "{}")
    except json.JSONDecodeError as exc:
        raise ContractError(f"ansible-doc --json printed no JSON ({exc}): {done.stderr.strip()[-2000:]}") from exc


@functools.cache
def _named_module_docs() -> tuple[frozenset[str], dict[str, Any]]:
    """(the names asked for, the documentation ansible-doc found for them) of the modules named in the sources."""
    sources = [path for folder in _NAMING_SOURCES for path in folder.glob("*.py")]
    names = {name for path in sources for name in _MODULE_NAME_RE.findall(path.read_text(encoding="utf-8"))}
    return frozenset(names), _ansible_doc(sorted(names))


@functools.cache
def _load_module_doc(fqcn: str) -> dict[str, Any]:
    _split_fqcn(fqcn)
    asked, found = _named_module_docs()
    data = found.get(fqcn) if fqcn in asked else _ansible_doc([fqcn]).get(fqcn)
    if not data:
        raise ContractError(
            f"no documentation file for {fqcn}: ansible-doc did not find the module (it searches "
            "ANSIBLE_COLLECTIONS_PATH and the Python path); check the module name, or install its collection "
            "(pip install ansible, or ansible-galaxy collection install)"
        )
    documentation = data.get("doc") or {}
    if not documentation.get("short_description") and not documentation.get("options"):
        raise ContractError(f"{fqcn} has no DOCUMENTATION; it cannot be contract-checked")
    return {
        "fqcn": fqcn,
        "path": str(documentation.get("filename") or ""),
        "documentation": documentation,
        "return": data.get("return") or {},
    }


def module_doc(fqcn: str) -> dict[str, Any]:
    """Documentation of an installed module, with documentation fragments merged in.

    Returns ``{"fqcn": str, "path": str, "documentation": dict, "return": dict}`` where
    ``documentation`` is the parsed DOCUMENTATION (``options`` etc.) and ``return`` the parsed RETURN
    (``{}`` when the module documents none). Results are cached; callers get a copy they may modify.
    Raises :class:`ContractError` when the module or its documentation cannot be found.
    """
    return copy.deepcopy(_load_module_doc(fqcn))


def module_source(fqcn: str, suffix: str) -> str:
    """The text of a module's implementation file (``.ps1`` for ansible.windows, ``.py`` for ansible.builtin)."""
    namespace, collection, name = _split_fqcn(fqcn)
    return _plugin_file(namespace, collection, "plugins/modules", name, (suffix,)).read_text(encoding="utf-8")


def path_options(fqcn: str) -> frozenset[str]:
    """Names and aliases of the options ``fqcn`` documents as ``type: path`` (or a list of paths).

    These are the options whose values the module's argument handling expands: ``$NAME`` and ``~`` for
    Python modules (``check_type_path``), ``%NAME%`` for PowerShell modules (``Ansible.Basic`` ``ParsePath``
    and ``Get-AnsibleParam -type path``).
    """
    options = module_doc(fqcn)["documentation"].get("options") or {}
    names: set[str] = set()
    for name, option in options.items():
        option = option or {}
        if option.get("type") == "path" or (option.get("type") == "list" and option.get("elements") == "path"):
            names.update([name, *option.get("aliases", ())])
    return frozenset(names)


# --------------------------------------------------------------------------------------------------
# Options
# --------------------------------------------------------------------------------------------------


def _option_spec(option: Mapping[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    doc_type = option.get("type", "str")
    spec["type"] = doc_type if doc_type in _VALIDATOR_TYPES else "str"
    if option.get("elements"):
        elements = option["elements"]
        spec["elements"] = elements if elements in _VALIDATOR_TYPES else "str"
    if option.get("aliases"):
        spec["aliases"] = list(option["aliases"])
    if option.get("choices") is not None:
        choices = option["choices"]
        # Documentation may describe choices as a mapping of choice -> description.
        spec["choices"] = list(choices.keys()) if isinstance(choices, Mapping) else list(choices)
    if option.get("required"):
        spec["required"] = True
    if option.get("suboptions"):
        spec["options"] = _argument_spec(option["suboptions"])
    return spec


def _argument_spec(options: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: _option_spec(option or {}) for name, option in options.items()}


def argument_spec(fqcn: str) -> dict[str, dict[str, Any]]:
    """The argument spec the documentation of ``fqcn`` describes (names, aliases, types, choices, required)."""
    return _argument_spec(module_doc(fqcn)["documentation"].get("options") or {})


def _container_for_scalar(spec: Mapping[str, Any], params: Mapping[str, Any], prefix: str) -> list[str]:
    """Dicts or lists passed where the documentation says str/path/int/float/bool (or such list elements).

    ``ArgumentSpecValidator`` silently turns ``{'a': 1}`` into the string ``"{'a': 1}"`` for a ``str``
    option; a module would then act on that text. A backend passing a container there has a bug.
    """
    names = {alias: name for name, option in spec.items() for alias in (name, *option.get("aliases", ()))}
    problems = []
    for key, value in params.items():
        option = spec.get(names.get(key, ""))
        if option is None:
            continue
        where = prefix + str(key)
        if option["type"] in _SCALAR_TYPES and isinstance(value, (Mapping, list, tuple)):
            problems.append(f"argument {where!r} is documented as {option['type']} but got {type(value).__name__}")
        elif option["type"] == "list" and isinstance(value, (list, tuple)):
            elements = option.get("elements")
            for index, item in enumerate(value):
                if elements in _SCALAR_TYPES and isinstance(item, (Mapping, list, tuple)):
                    problems.append(
                        f"argument {where}[{index}] is documented as a list of {elements} but got {type(item).__name__}"
                    )
                elif elements == "dict" and "options" in option and isinstance(item, Mapping):
                    problems.extend(_container_for_scalar(option["options"], item, f"{where}[{index}]."))
        elif option["type"] == "dict" and "options" in option and isinstance(value, Mapping):
            problems.extend(_container_for_scalar(option["options"], value, where + "."))
    return problems


def validate_call(fqcn: str, module_args: Mapping[str, Any]) -> list[str]:
    """Problems with calling ``fqcn`` with ``module_args``; ``[]`` when the call matches the documentation.

    Unknown option names, values of the wrong type, values outside ``choices`` and missing required
    options are problems. Keys starting with ``_ansible_`` are Ansible-internal and ignored. A module
    whose documentation cannot be loaded is reported as a problem, not raised, so one report lists
    everything wrong with a backend.
    """
    try:
        spec = argument_spec(fqcn)
    except ContractError as exc:
        return [f"{fqcn}: {exc}"]
    if not isinstance(module_args, Mapping):
        return [f"{fqcn}: module arguments must be a mapping, got {type(module_args).__name__}"]
    params = {k: copy.deepcopy(v) for k, v in module_args.items() if not str(k).startswith(_ANSIBLE_INTERNAL_PREFIX)}
    problems = [f"{fqcn}: {message}" for message in _container_for_scalar(spec, params, "")]
    result = ArgumentSpecValidator(spec).validate(params)
    documented = ", ".join(sorted({*spec, *(a for option in spec.values() for a in option.get("aliases", ()))}))
    problems.extend(
        f"{fqcn}: undocumented option {name!r} (documented options: {documented})"
        for name in sorted(".".join(p) if isinstance(p, tuple) else str(p) for p in result.unsupported_parameters)
    )
    problems.extend(f"{fqcn}: {error.msg}" for error in result.errors if not isinstance(error, UnsupportedError))
    return problems


# --------------------------------------------------------------------------------------------------
# Return keys
# --------------------------------------------------------------------------------------------------


def _parse_path(path: str) -> list[tuple[str, int]] | None:
    segments = []
    for raw in path.split("."):
        match = _SEGMENT_RE.match(raw)
        if match is None:
            return None
        segments.append((match.group("name"), len(match.group("brackets")) // 2))
    return segments


def _check_return_path(fqcn: str, returns: Mapping[str, Any], path: str) -> str | None:
    segments = _parse_path(path)
    if segments is None:
        return (
            f"{fqcn}: return key {path!r} is not a valid path; "
            "use dotted names with [] for list elements, e.g. 'stat.exists' or 'files[].path'"
        )
    level: Mapping[str, Any] | None = returns
    walked: list[str] = []
    for index, (name, brackets) in enumerate(segments):
        walked.append(name + "[]" * brackets)
        where = ".".join(walked)
        if level is None:
            return None  # below a documented value without 'contains': free-form
        entry = level.get(name)
        if entry is None:
            if index == 0 and (name in COMMON_RETURN_KEYS or name.startswith(_ANSIBLE_INTERNAL_PREFIX)):
                return None
            documented = ", ".join(sorted(level)) or "(none)"
            return f"{fqcn}: return key {where!r} is not documented in RETURN (documented here: {documented})"
        entry = entry or {}
        doc_type = entry.get("type")
        has_more = index < len(segments) - 1
        if brackets and doc_type not in ("list", "complex"):
            return f"{fqcn}: return key {where!r} indexes {name!r}, which is documented as {doc_type}, not a list"
        if not brackets and doc_type == "list" and has_more:
            return f"{fqcn}: {name!r} is documented as a list; read its elements as '{name}[]...' in {path!r}"
        if has_more and doc_type in _SCALAR_TYPES:
            return f"{fqcn}: return key {path!r} reads below {where!r}, which is documented as {doc_type}"
        contains = entry.get("contains")
        level = contains if isinstance(contains, Mapping) and contains else None
    return None


def validate_return_keys(fqcn: str, keys: Iterable[str]) -> list[str]:
    """Problems with reading the result keys ``keys`` of ``fqcn``; ``[]`` when all are documented in RETURN.

    Each key is a path such as ``stat.exists``, ``files[].path`` or ``output[]`` (see the module docstring
    for the grammar and for what counts as free-form).
    """
    if isinstance(keys, str):
        keys = [keys]
    try:
        returns = module_doc(fqcn)["return"]
    except ContractError as exc:
        return [f"{fqcn}: {exc}"]
    problems = []
    for key in keys:
        problem = _check_return_path(fqcn, returns, str(key))
        if problem:
            problems.append(problem)
    return problems


# --------------------------------------------------------------------------------------------------
# Recording fake for ActionBase._execute_module
# --------------------------------------------------------------------------------------------------


@dataclass
class ModuleCall:
    """One recorded module call.

    ``reads`` are the return keys the backend declared (``_run_module(..., reads=(...))``);
    ``observed_reads`` are the keys it actually looked up in the result it got back.
    """

    module_name: str
    module_args: dict[str, Any]
    task_vars: Any = None
    reads: tuple[str, ...] = ()
    observed_reads: set[str] = field(default_factory=set)
    result: Any = None

    def problems(self) -> list[str]:
        """Contract problems of this call: its arguments and every declared or observed read key."""
        keys = list(dict.fromkeys([*self.reads, *sorted(self.observed_reads)]))
        return validate_call(self.module_name, self.module_args) + validate_return_keys(self.module_name, keys)


class _TrackedDict(dict):
    """A result dict that records which keys are looked up (``d[k]``, ``d.get(k)``, ``k in d``, ...)."""

    def __init__(self, data: Mapping[str, Any], prefix: str, sink: set[str]) -> None:
        super().__init__({k: _track(v, _join(prefix, str(k)), sink) for k, v in data.items()})
        self._prefix = prefix
        self._sink = sink

    def _note(self, key: object) -> None:
        self._sink.add(_join(self._prefix, str(key)))

    def __getitem__(self, key: object) -> Any:
        self._note(key)
        return super().__getitem__(key)

    def get(self, key: object, default: Any = None) -> Any:
        self._note(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self._note(key)
        return super().__contains__(key)

    def pop(self, key: object, *default: Any) -> Any:
        self._note(key)
        return super().pop(key, *default)

    def setdefault(self, key: object, default: Any = None) -> Any:
        self._note(key)
        return super().setdefault(key, default)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return {k: copy.deepcopy(v, memo) for k, v in dict.items(self)}


class _TrackedList(list):
    """A result list whose elements are tracked under the path ``<prefix>[]``."""

    def __init__(self, data: Iterable[Any], prefix: str, sink: set[str]) -> None:
        super().__init__(_track(v, prefix + "[]", sink) for v in data)

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        return [copy.deepcopy(v, memo) for v in list.__iter__(self)]


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _track(value: Any, prefix: str, sink: set[str]) -> Any:
    if isinstance(value, Mapping):
        return _TrackedDict(value, prefix, sink)
    if isinstance(value, (list, tuple)):
        return _TrackedList(value, prefix, sink)
    return value


Response = Mapping[str, Any] | Callable[[dict[str, Any]], Mapping[str, Any]]


class RecordingExecutor:
    """A stand-in for ``ActionBase._execute_module`` that records calls and answers with canned results.

    ``responses`` maps a module name (as the backend passes it, i.e. the FQCN) to either a result dict
    (deep-copied for every call) or a callable ``fn(module_args) -> dict`` for results that depend on
    the arguments or change between calls. A call to a module without a response raises
    :class:`UnexpectedModuleCall` unless ``default`` is given.

    Use it by replacing the action's method: ``executor.install(action)`` (the backend then calls
    ``action._execute_module(module_name=..., module_args=..., task_vars=...)`` as usual). To capture the
    return keys a backend declares with ``self._run_module(fqcn, args, reads=(...))``, wrap that method:
    ``executor.capture_reads(backend)``. With ``track_reads`` (default) results are returned as dict/list
    subclasses that record which keys the backend looked up, so undeclared reads are checked too.
    :meth:`problems` validates every recorded call against the installed module documentation.
    """

    def __init__(
        self,
        responses: Mapping[str, Response] | None = None,
        *,
        default: Response | None = None,
        track_reads: bool = True,
    ) -> None:
        self.responses: dict[str, Response] = dict(responses or {})
        self.default = default
        self.track_reads = track_reads
        self.calls: list[ModuleCall] = []

    def __call__(
        self,
        module_name: str | None = None,
        module_args: Mapping[str, Any] | None = None,
        tmp: Any = None,
        task_vars: Any = None,
        persist_files: bool = False,
        delete_remote_tmp: bool | None = None,
        wrap_async: bool = False,
        ignore_unknown_opts: bool = False,
    ) -> dict[str, Any]:
        """Same signature as ``ActionBase._execute_module``; records the call and returns the canned result."""
        if module_name is None:
            raise UnexpectedModuleCall("_execute_module was called without module_name; backends must name the module")
        args = copy.deepcopy(dict(module_args or {}))
        call = ModuleCall(module_name=module_name, module_args=args, task_vars=task_vars)
        self.calls.append(call)
        response = self.responses.get(module_name, self.default)
        if response is None:
            raise UnexpectedModuleCall(
                f"unexpected call to {module_name} with {args!r}; "
                f"responses are configured for: {', '.join(sorted(self.responses)) or '(none)'}"
            )
        result = response(copy.deepcopy(args)) if callable(response) else response
        plain = copy.deepcopy(dict(result))
        call.result = plain
        if self.track_reads:
            return _TrackedDict(plain, "", call.observed_reads)
        return copy.deepcopy(plain)

    def install(self, action: Any) -> RecordingExecutor:
        """Make ``action._execute_module`` this executor (on the instance only). Returns ``self``."""
        action._execute_module = self
        return self

    def capture_reads(self, backend: Any, method: str = "_run_module") -> RecordingExecutor:
        """Wrap ``backend.<method>`` so its ``reads=`` argument is attached to the calls it makes. Returns ``self``."""
        original = getattr(backend, method)
        signature = inspect.signature(original)
        if "reads" not in signature.parameters:
            raise TypeError(
                f"{type(backend).__name__}.{method} has no 'reads' parameter; cannot capture declared reads"
            )

        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            bound = signature.bind(*args, **kwargs)
            declared = bound.arguments.get("reads") or ()
            declared = (declared,) if isinstance(declared, str) else tuple(declared)
            first = len(self.calls)
            try:
                return original(*args, **kwargs)
            finally:
                for call in self.calls[first:]:
                    call.reads = tuple(dict.fromkeys([*call.reads, *declared]))

        setattr(backend, method, wrapper)
        return self

    def calls_to(self, module_name: str) -> list[ModuleCall]:
        """The recorded calls to one module, in order."""
        return [call for call in self.calls if call.module_name == module_name]

    def problems(self) -> list[str]:
        """Contract problems of every recorded call (arguments and read keys), in call order."""
        problems: list[str] = []
        for number, call in enumerate(self.calls, start=1):
            problems.extend(f"call {number}: {problem}" for problem in call.problems())
        return problems

    def assert_clean(self) -> None:
        """Fail with every contract problem listed when any recorded call breaks the contract."""
        problems = self.problems()
        if problems:
            raise AssertionError("module calls break the documented contract:\n  " + "\n  ".join(problems))
