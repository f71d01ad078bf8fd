# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Controller-side I/O for the release catalog: shipped data file, HTTP refresh, local cache.

The pure model and parsers live in ``release_catalog``; this module only reads and writes.

Failure policy of :func:`refresh`: a refresh that fails for any reason (HTTP error, timeout,
redirect loop, TLS, a page with no dated releases, an invalid mirror) never raises. It keeps the
last good cached catalog (or the shipped data when there is no cache) and returns a warning that
names the URL and the cause, because an unreachable vendor page must not stop a compliance run;
the caller still sees the staleness verdict. Only invalid arguments raise :class:`InputError`.

``requests`` is imported only when a refresh really downloads: ``info`` imports this module in
every forked worker just to read the shipped catalog and the cache, and importing ``requests``
there cost about 190 ms and 16 MiB per worker.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import yaml

try:
    import fcntl

    HAS_FCNTL = True
except ImportError:  # pragma: no cover - Ansible controllers are POSIX; kept for the import sanity test
    HAS_FCNTL = False

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common import package_data
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import atomic_file
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.release_catalog import (
    Catalog,
    Release,
    catalog_from_data,
    merge_with_conflicts,
    parse_mirror,
    parse_whats_new_html,
    releases_from_data,
)

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "release_catalog.yml"
CACHE_SCHEMA_VERSION = 1
# Where upgrade_window saves a refreshed catalog and info reads it (on the controller).
DEFAULT_CACHE_PATH = "~/.cache/ctxlic/release_catalog.json"
FORMATS = ("auto", "html", "json", "yaml")
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
_CLOCK_SLACK_SECONDS = 300
_YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/markdown", "text/x-markdown")


class CatalogFetchError(CtxlicError):
    """Fetching or parsing a release catalog from a URL failed; the message names URL and cause."""


@dataclass(frozen=True)
class CacheRecord:
    """What the cache file holds: the releases last fetched, when, and from where."""

    releases: tuple[Release, ...]
    fetched_at: datetime
    url: str


#: Parsed shipped catalogs of this process, by path, with the (mtime_ns, size) they were parsed at.
_SHIPPED_CACHE: dict[str, tuple[tuple[int, int], Catalog]] = {}


def load_shipped(path: Path | str | None = None) -> Catalog:
    """The catalog shipped with the collection (``data/release_catalog.yml``), parsed once per process.

    The YAML file stays the one source of truth: the parsed ``Catalog`` (immutable) is kept per process,
    keyed by the file's path, modification time and size, so a changed file is read again. Parsing uses
    libyaml's loader when PyYAML has it (``package_data.parse_yaml``): ``info`` reads the catalog in every
    forked worker of a fleet run (issue 18 item 2).

    A broken shipped file is a packaging fault, reported as :class:`CtxlicError`: silently
    continuing with no releases would make every server look current.
    """
    data_path = Path(path) if path is not None else DATA_FILE
    try:
        stat = data_path.stat()
        key = (stat.st_mtime_ns, stat.st_size)
        cached = _SHIPPED_CACHE.get(str(data_path))
        if cached is not None and cached[0] == key:
            return cached[1]
        text = data_path.read_text(encoding="utf-8")
        data = package_data.parse_yaml(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CtxlicError(
            f"Cannot read the shipped release catalog {data_path}: {exc}. Reinstall the collection."
        ) from None
    try:
        catalog = catalog_from_data(data, origin="shipped")
    except InputError as exc:
        raise CtxlicError(f"The shipped release catalog {data_path} is invalid: {exc}") from None
    _SHIPPED_CACHE[str(data_path)] = (key, catalog)
    return catalog


def _check_url(url: Any) -> str:
    if not isinstance(url, str) or not url.strip():
        raise InputError(f"catalog_url {url!r} must be an http:// or https:// URL.")
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise InputError(f"catalog_url {url!r} must be an http:// or https:// URL with a host name.")
    return url.strip()


def _check_fetch_args(fmt: Any, timeout: Any, max_redirects: Any, max_bytes: Any) -> None:
    if fmt not in FORMATS:
        raise InputError(f"catalog_format {fmt!r} must be one of {', '.join(FORMATS)}.")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise InputError(f"timeout {timeout!r} must be a positive number of seconds.")
    if isinstance(max_redirects, bool) or not isinstance(max_redirects, int) or max_redirects < 0:
        raise InputError(f"max_redirects {max_redirects!r} must be a whole number, 0 or more.")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
        raise InputError(f"max_bytes {max_bytes!r} must be a positive whole number.")


def detect_format(content_type: str | None, url: str, body: bytes) -> str:
    """html, json or yaml, decided by the Content-Type, then the URL suffix, then the first byte."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        return "json"
    if media in _YAML_TYPES:
        return "yaml"
    if media in _HTML_TYPES:
        return "html"
    suffix = Path(urlsplit(url).path).suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".yml", ".yaml"):
        return "yaml"
    if suffix in (".html", ".htm", ".md", ".txt"):
        return "html"
    head = body.lstrip()[:1]
    if head in (b"{", b"["):
        return "json"
    if head == b"<":
        return "html"
    if re.match(rb"(?:---|releases\s*:)", body.lstrip()[:64]):
        return "yaml"
    return "html"


def _charset(content_type: str | None) -> str | None:
    match = re.search(r"charset\s*=\s*\"?([\w.:-]+)", content_type or "", re.IGNORECASE)
    return match.group(1) if match else None


def _requests(url: str) -> ModuleType:
    """The ``requests`` module, imported on first use (see the module docstring for why not earlier)."""
    try:
        import requests
    except ImportError as exc:
        raise CatalogFetchError(
            f"Cannot fetch the release catalog from {url}: the Python library requests is missing on the "
            f"controller; install requests ({exc})."
        ) from None
    return requests


def _download(
    url: str,
    *,
    timeout: float,
    proxy: str | None,
    ca_bundle: str | None,
    validate_certs: bool,
    max_redirects: int,
    max_bytes: int,
) -> tuple[bytes, str | None]:
    """GET *url* and return (body, Content-Type); every failure becomes CatalogFetchError."""
    requests = _requests(url)
    verify: bool | str = (ca_bundle or True) if validate_certs else False
    proxies = {"http": proxy, "https": proxy} if proxy else None
    try:
        with requests.Session() as session:
            session.max_redirects = max_redirects
            headers = {"Accept": "text/html, application/json, application/yaml;q=0.9, */*;q=0.5"}
            with session.get(
                url, timeout=timeout, proxies=proxies, verify=verify, stream=True, headers=headers
            ) as resp:
                if resp.status_code >= 400:
                    reason = resp.reason or ""
                    raise CatalogFetchError(
                        f"Fetching the release catalog from {url} failed: HTTP {resp.status_code} {reason}".rstrip()
                        + "."
                    )
                body = bytearray()
                for chunk in resp.iter_content(chunk_size=65536):
                    body.extend(chunk)
                    if len(body) > max_bytes:
                        raise CatalogFetchError(
                            f"The release catalog at {url} is larger than {max_bytes} bytes; refusing to read more."
                        )
                return bytes(body), resp.headers.get("Content-Type")
    except CatalogFetchError:
        raise
    except (requests.exceptions.RequestException, OSError, ValueError, UnicodeError) as exc:
        cause = _request_failure(requests, exc, timeout=timeout, proxy=proxy, max_redirects=max_redirects)
        raise CatalogFetchError(f"Fetching the release catalog from {url} failed: {cause}.") from None


def _request_failure(requests: ModuleType, exc: BaseException, *, timeout: float, proxy: str | None,
                     max_redirects: int) -> str:
    """Say in words why a request failed; the most specific requests exception wins."""
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return f"more than {max_redirects} redirects (a redirect loop?)"
    if isinstance(exc, requests.exceptions.Timeout):
        return f"no answer within {timeout} s (timeout)"
    if isinstance(exc, requests.exceptions.SSLError):
        return f"TLS verification failed ({_short(exc)}); set ca_bundle to your CA file"
    if isinstance(exc, requests.exceptions.ProxyError):
        return f"the proxy {proxy} refused or failed ({_short(exc)})"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return f"connection failed ({_short(exc)})"
    return f"{type(exc).__name__}: {_short(exc)}"


def _short(exc: BaseException, limit: int = 240) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def fetch(
    url: str,
    *,
    fmt: str = "auto",
    timeout: float = 10,
    proxy: str | None = None,
    ca_bundle: str | None = None,
    validate_certs: bool = True,
    max_redirects: int = 5,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[Release]:
    """Download and parse a release list: the vendor "What's new" page (HTML or its text export)
    or an organisation mirror (JSON/YAML). ``fmt="auto"`` decides from Content-Type / URL suffix.

    Raises :class:`CatalogFetchError` (naming the URL and the cause) on any failure, including a
    page that parses but holds no dated releases; :class:`InputError` for invalid arguments.
    """
    url = _check_url(url)
    _check_fetch_args(fmt, timeout, max_redirects, max_bytes)
    body, content_type = _download(
        url,
        timeout=timeout,
        proxy=proxy,
        ca_bundle=ca_bundle,
        validate_certs=validate_certs,
        max_redirects=max_redirects,
        max_bytes=max_bytes,
    )
    kind = fmt if fmt != "auto" else detect_format(content_type, url, body)
    try:
        if kind == "html":
            charset = _charset(content_type)
            content: str | bytes = body
            if charset:
                try:
                    content = body.decode(charset, errors="replace")
                except LookupError:
                    content = body
            releases = parse_whats_new_html(content, source=url)
        else:
            releases = parse_mirror(body, kind, source=url)
    except InputError as exc:
        raise CatalogFetchError(f"The release catalog from {url} could not be read as {kind}: {exc}") from None
    if not releases:
        what = (
            'no heading "What\'s new in the License Server version X build N" followed by "Release date: ..."'
            if kind == "html"
            else "an empty 'releases' list"
        )
        raise CatalogFetchError(f"No releases found in the release catalog from {url} (read as {kind}): {what}.")
    return releases


# --------------------------------------------------------------------------------------------
# Cache
# --------------------------------------------------------------------------------------------


def _aware(moment: datetime) -> datetime:
    """Naive datetimes are taken as UTC (Ansible's and the cache's convention)."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment  # noqa: UP017


def load_cache(path: Path | str) -> CacheRecord | None:
    """Read the cache file; None when it does not exist, CtxlicError when it is unreadable."""
    cache_path = Path(path).expanduser()
    try:
        text = cache_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise CtxlicError(f"Cannot read the release catalog cache {cache_path}: {exc}.") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise CtxlicError(
            f"The release catalog cache {cache_path} is not valid JSON ({_short(exc)}); it will be rewritten."
        ) from None
    if not isinstance(data, dict) or data.get("schema_version") != CACHE_SCHEMA_VERSION:
        raise CtxlicError(f"The release catalog cache {cache_path} has an unknown layout; it will be rewritten.")
    url, fetched_text = data.get("url"), data.get("fetched_at")
    if not isinstance(url, str) or not isinstance(fetched_text, str):
        raise CtxlicError(f"The release catalog cache {cache_path} lacks 'url' or 'fetched_at'; it will be rewritten.")
    try:
        fetched_at = _aware(datetime.fromisoformat(fetched_text))
        releases = releases_from_data(data, where=f"release catalog cache {cache_path}", default_source=url)
    except (ValueError, InputError) as exc:
        raise CtxlicError(
            f"The release catalog cache {cache_path} is invalid ({_short(exc)}); it will be rewritten."
        ) from None
    return CacheRecord(releases=tuple(releases), fetched_at=fetched_at, url=url)


def save_cache(path: Path | str, releases: list[Release] | tuple[Release, ...], fetched_at: datetime, url: str) -> None:
    """Write the cache atomically (``atomic_file``), so concurrent runs (forks) never see a half-written file."""
    cache_path = Path(path).expanduser()
    payload = {
        "schema_version": CACHE_SCHEMA_VERSION,
        "url": url,
        "fetched_at": _aware(fetched_at).isoformat(),
        "releases": [r.to_dict() for r in sorted(releases, key=lambda r: r.version)],
    }
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    atomic_file.write_json(cache_path, payload)


@contextlib.contextmanager
def refresh_lock(cache_path: Path | str, wait_seconds: float) -> Iterator[str]:
    """Hold an exclusive lock beside the cache (``<cache>.lock``) while one process refreshes.

    A fleet run forks one ``upgrade_window`` task per host; without the lock every fork saw no
    fresh cache at the same moment and fetched the page itself. With it the first fork fetches and
    saves, the others wait, then find the fresh cache and use it: one fetch per run. Yields
    ``"held"``, ``"timeout"`` when another process held it longer than *wait_seconds* (the caller
    then goes on without it), or ``"unavailable"`` when no lock file can be made (then the cache
    cannot be written either, which the caller reports).
    """
    lock_path = Path(str(Path(cache_path).expanduser()) + ".lock")
    if not HAS_FCNTL:
        yield "unavailable"
        return
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield "unavailable"
        return
    try:
        deadline = time.monotonic() + max(wait_seconds, 0)
        held = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held = True
                break
            except OSError:
                if time.monotonic() >= deadline:
                    break
                time.sleep(0.05)
        try:
            yield "held" if held else "timeout"
        finally:
            if held:
                fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)


# --------------------------------------------------------------------------------------------
# Refresh
# --------------------------------------------------------------------------------------------


def _with_cache(shipped: Catalog, cache: CacheRecord, warnings: list[str]) -> Catalog:
    merged, conflicts = merge_with_conflicts(shipped.releases, cache.releases)
    warnings.extend(conflicts)
    return Catalog(releases=tuple(merged), fetched_at=cache.fetched_at, origin=f"shipped+cache:{cache.url}")


def refresh(
    url: str | None,
    cache_path: Path | str | None,
    *,
    now: datetime,
    fmt: str = "auto",
    timeout: float = 10,
    proxy: str | None = None,
    ca_bundle: str | None = None,
    validate_certs: bool = True,
    max_redirects: int = 5,
    cache_ttl: int = 0,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[Catalog, list[str]]:
    """The catalog to judge servers against, and warnings for the operator.

    * No *url*: shipped data merged with the last good cache, if any.
    * *url* and a cache of that URL younger than *cache_ttl* seconds: the cache, no request
      (a fleet run forks one task per host; they need not all hit the vendor page).
    * Otherwise fetch *url*: on success merge shipped + fetched (conflicts become warnings) and
      save the fetched releases to the cache; on any failure keep the last good cache (or the
      shipped data) and warn with the URL and the cause.
    * With a *url* and a *cache_path*, the check-fetch-save sequence runs under
      :func:`refresh_lock`, so parallel hosts of one run fetch the page once.

    Raises only :class:`InputError` for invalid arguments (and CtxlicError for a broken install).
    """
    if not isinstance(now, datetime):
        raise InputError(f"now {now!r} must be a datetime.")
    now = _aware(now)
    if url is not None:
        url = _check_url(url)
    _check_fetch_args(fmt, timeout, max_redirects, max_bytes)
    if isinstance(cache_ttl, bool) or not isinstance(cache_ttl, int) or cache_ttl < 0:
        raise InputError(f"cache_ttl {cache_ttl!r} must be a whole number of seconds, 0 or more.")
    if cache_path is not None and not isinstance(cache_path, str | Path):
        raise InputError(f"catalog_cache {cache_path!r} must be a path.")

    shipped = load_shipped()
    if url is None or not cache_path:
        return _refresh_unlocked(url, cache_path, shipped, now=now, fmt=fmt, timeout=timeout, proxy=proxy,
                                 ca_bundle=ca_bundle, validate_certs=validate_certs, max_redirects=max_redirects,
                                 cache_ttl=cache_ttl, max_bytes=max_bytes)
    # The cache is read again under the lock: a fork that waited finds what the first one fetched.
    wait = timeout * (max_redirects + 2) + 5
    with refresh_lock(cache_path, wait) as lock:
        catalog, warnings = _refresh_unlocked(url, cache_path, shipped, now=now, fmt=fmt, timeout=timeout,
                                              proxy=proxy, ca_bundle=ca_bundle, validate_certs=validate_certs,
                                              max_redirects=max_redirects, cache_ttl=cache_ttl, max_bytes=max_bytes)
    if lock == "timeout":
        warnings.append(f"Could not lock the release catalog cache {cache_path} within {wait:.0f} s; refreshed "
                        "without the lock, so parallel hosts may have fetched the page more than once.")
    return catalog, warnings


def _refresh_unlocked(
    url: str | None,
    cache_path: Path | str | None,
    shipped: Catalog,
    *,
    now: datetime,
    fmt: str,
    timeout: float,
    proxy: str | None,
    ca_bundle: str | None,
    validate_certs: bool,
    max_redirects: int,
    cache_ttl: int,
    max_bytes: int,
) -> tuple[Catalog, list[str]]:
    """:func:`refresh` after argument checks, with the lock (if any) held by the caller."""
    warnings: list[str] = []
    cache = None
    if cache_path:
        try:
            cache = load_cache(cache_path)
        except CtxlicError as exc:
            warnings.append(f"Ignoring the release catalog cache: {exc}")

    if url is None:
        return (_with_cache(shipped, cache, warnings) if cache else shipped), warnings

    # A fork that waited for the lock holds a ``now`` taken before the first fork's fetch, so the
    # cache may look a little younger than zero: a few minutes of that are the same run, not a bad clock.
    if cache and cache.url == url and cache_ttl and (
        -_CLOCK_SLACK_SECONDS <= (now - cache.fetched_at).total_seconds() < cache_ttl
    ):
        return _with_cache(shipped, cache, warnings), warnings

    try:
        fetched = fetch(
            url,
            fmt=fmt,
            timeout=timeout,
            proxy=proxy,
            ca_bundle=ca_bundle,
            validate_certs=validate_certs,
            max_redirects=max_redirects,
            max_bytes=max_bytes,
        )
    except CtxlicError as exc:
        if cache:
            kept = f"Keeping the last good catalog, fetched from {cache.url} at {cache.fetched_at.isoformat()}."
            fallback = _with_cache(shipped, cache, warnings)
        else:
            kept = "No cached catalog exists: using the shipped release data only."
            fallback = shipped
        warnings.insert(0, f"Release catalog refresh failed. {exc} {kept}")
        return fallback, warnings

    merged, conflicts = merge_with_conflicts(shipped.releases, fetched)
    warnings.extend(conflicts)
    if cache_path:
        try:
            save_cache(cache_path, fetched, now, url)
        except OSError as exc:
            warnings.append(f"Could not write the release catalog cache {cache_path}: {exc}.")
    return Catalog(releases=tuple(merged), fetched_at=now, origin=f"shipped+fetched:{url}"), warnings
