# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for plugin_utils._store.catalog against a real local HTTP server.

The server (127.0.0.1, random port, one thread per request) serves the fixtures in
tests/fixtures/catalog plus failure modes: 404, 500, a slow handler, a redirect loop.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import atomic_file
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import catalog as catalog_store
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.catalog import (
    CatalogFetchError,
    detect_format,
    fetch,
    load_cache,
    load_shipped,
    refresh,
    save_cache,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.version import parse_ls_version
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.release_catalog import (
    Release,
    parse_whats_new_html,
)

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "catalog"
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
SLOW_SECONDS = 3.0
TIMEOUT = 0.5


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


ROUTES: dict[str, tuple[int, str, bytes]] = {
    "/whats-new.html": (200, "text/html; charset=utf-8", fixture_bytes("whats_new_49000.html")),
    "/whats-new-latest": (200, "text/html", fixture_bytes("whats_new_new_builds.html")),
    "/export.md": (200, "text/plain; charset=utf-8", fixture_bytes("whats_new_export_004.md")),
    "/malformed.html": (200, "text/html", fixture_bytes("malformed.html")),
    "/mirror.json": (200, "application/json", fixture_bytes("mirror.json")),
    "/mirror.yaml": (200, "application/octet-stream", fixture_bytes("mirror.yaml")),
    "/mirror": (200, "application/x-yaml", fixture_bytes("mirror.yaml")),
    "/mirror-as.html": (200, "text/plain", fixture_bytes("mirror.json")),
    "/invalid.json": (200, "application/json", b'{"releases": [ {"version": '),
    "/conflict.json": (
        200,
        "application/json",
        json.dumps({"releases": [{"version": "11.17.2 build 49000", "released": "2024-08-20"}]}).encode(),
    ),
    "/big.html": (200, "text/html", b"<html><body>" + b"<p>x</p>" * 4096 + b"</body></html>"),
}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        if self.path.startswith("http://"):  # asked as a forward proxy: serve the same routes
            self.path = urlsplit(self.path).path
            self.server.hits.append(f"proxy:{self.path}")
        else:
            self.server.hits.append(self.path)
        if self.path == "/missing":
            self._send(404, "text/plain", b"not here")
        elif self.path == "/error":
            self._send(500, "text/plain", b"boom")
        elif self.path == "/delayed-mirror.json":  # long enough for parallel refreshes to overlap
            time.sleep(0.5)
            self._send(*ROUTES["/mirror.json"])
        elif self.path == "/slow":
            self.server.release_slow.wait(SLOW_SECONDS)  # bounded: teardown releases it at once
            self._send(200, "text/html", fixture_bytes("whats_new_49000.html"))
        elif self.path.startswith("/loop"):
            self.send_response(302)
            self.send_header("Location", "/loop-again" if self.path == "/loop" else "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path in ROUTES:
            self._send(*ROUTES[self.path])
        else:
            self._send(404, "text/plain", b"unknown")

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    hits: list[str]
    release_slow: threading.Event


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    srv = _Server(("127.0.0.1", 0), _Handler)
    srv.hits = []
    srv.release_slow = threading.Event()
    thread = threading.Thread(target=srv.serve_forever, name="catalog-http", daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.release_slow.set()
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


@pytest.fixture
def base(server: _Server, monkeypatch: pytest.MonkeyPatch) -> str:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    server.hits.clear()
    return f"http://127.0.0.1:{server.server_address[1]}"


def dates(releases: list[Release] | tuple[Release, ...]) -> dict[str, str]:
    return {str(r.version): r.released.isoformat() for r in releases}


# ---------------------------------------------------------------------------------------------
# Shipped data
# ---------------------------------------------------------------------------------------------


def test_shipped_catalog_holds_every_seed_release() -> None:
    catalog = load_shipped()
    assert catalog.origin == "shipped"
    assert catalog.fetched_at is None
    assert len(catalog.releases) == 16
    assert str(catalog.releases[0].version) == "11.16.6 build 34000"
    last = catalog.releases[-1]
    assert (str(last.version), last.released, last.date_precision) == (
        "11.17.2 build 51000",
        date(2024, 12, 1),
        "month",
    )
    assert last.source.startswith("Citrix licensing telemetry and compliance status")
    assert "https://docs.citrix.com/" in last.source  # the vendor page that confirms the build
    assert all(r.source.startswith("Citrix Licensing 11.17.2 build 49000 documentation (https://docs.citrix.com/")
               for r in catalog.releases[:-1])
    # Users have no seeds: the source text they see names documents by title, never by seed file.
    assert not any(".txt" in r.source or "seed" in r.source.lower() for r in catalog.releases)
    assert all(r.date_precision == "day" for r in catalog.releases[:-1])


def test_shipped_dates_match_the_seed_004_export() -> None:
    from_seed = parse_whats_new_html((FIXTURES / "whats_new_export_004.md").read_text(encoding="utf-8"))
    shipped = {str(r.version): r.released.isoformat() for r in load_shipped().releases if r.version.build != 51000}
    assert dates(from_seed) == shipped


def test_shipped_file_documents_the_month_precision_choice() -> None:
    text = catalog_store.DATA_FILE.read_text(encoding="utf-8")
    assert "date_precision: month" in text
    assert "first day of the month" in text
    assert yaml.safe_load(text)["schema_version"] == 1


@pytest.mark.parametrize(
    ("content", "message"), [("releases: [", "Cannot read the shipped"), ("releases: 5", "is invalid")]
)
def test_a_broken_shipped_file_is_a_ctxlic_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "catalog.yml"
    path.write_text(content)
    with pytest.raises(CtxlicError, match=message):
        load_shipped(path)
    with pytest.raises(CtxlicError, match="Cannot read"):
        load_shipped(tmp_path / "absent.yml")


# ---------------------------------------------------------------------------------------------
# Format detection and fetch
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "url", "body", "expected"),
    [
        ("text/html; charset=utf-8", "https://x/a.json", b"{}", "html"),
        ("application/json", "https://x/page", b"<html>", "json"),
        ("application/vnd.ctxlic+json", "https://x/page", b"", "json"),
        ("application/x-yaml", "https://x/a.html", b"", "yaml"),
        ("text/yaml", "https://x/a", b"", "yaml"),
        ("application/octet-stream", "https://x/list.yml", b"", "yaml"),
        ("text/plain", "https://x/list.YAML", b"", "yaml"),
        ("", "https://x/list.json?download=1", b"", "json"),
        (None, "https://x/whats-new.htm", b"{", "html"),
        (None, "https://x/export.md", b"## What's new", "html"),
        (None, "https://x/list", b'  {"releases": []}', "json"),
        (None, "https://x/list", b"<!DOCTYPE html>", "html"),
        (None, "https://x/list", b"---\nreleases: []", "yaml"),
        (None, "https://x/list", b"releases:\n  - version: x", "yaml"),
        (None, "https://x/list", b"What's new in the License Server", "html"),
    ],
)
def test_detect_format(content_type: str | None, url: str, body: bytes, expected: str) -> None:
    assert detect_format(content_type, url, body) == expected


def test_fetch_vendor_page(base: str) -> None:
    releases = fetch(f"{base}/whats-new.html")
    assert len(releases) == 15
    assert dates(releases)["11.17.2 build 49000"] == "2024-08-12"
    assert releases[-1].source.startswith(f"{base}/whats-new.html, section")


def test_fetch_page_with_new_builds(base: str) -> None:
    assert dates(fetch(f"{base}/whats-new-latest", timeout=5))["11.17.2 build 53000"] == "2026-02-03"


def test_fetch_markdown_export(base: str) -> None:
    assert len(fetch(f"{base}/export.md")) == 15


@pytest.mark.parametrize("path", ["/mirror.json", "/mirror.yaml", "/mirror"])
def test_fetch_mirrors(base: str, path: str) -> None:
    assert "11.17.2 build 52000" in dates(fetch(base + path))


def test_explicit_format_beats_detection(base: str) -> None:
    assert dates(fetch(f"{base}/mirror-as.html", fmt="json"))["11.17.2 build 52000"] == "2025-09-15"
    with pytest.raises(CatalogFetchError, match="No releases found"):
        fetch(f"{base}/mirror-as.html", fmt="html")


@pytest.mark.parametrize(
    ("path", "kwargs", "cause"),
    [
        ("/missing", {}, "HTTP 404 Not Found"),
        ("/error", {}, "HTTP 500 Internal Server Error"),
        ("/loop", {"max_redirects": 3}, "more than 3 redirects (a redirect loop?)"),
        ("/malformed.html", {}, "No releases found"),
        ("/invalid.json", {}, "not valid JSON"),
        ("/big.html", {"max_bytes": 1024}, "larger than 1024 bytes"),
    ],
)
def test_fetch_failures_name_url_and_cause(base: str, path: str, kwargs: dict[str, int], cause: str) -> None:
    with pytest.raises(CatalogFetchError) as err:
        fetch(base + path, **kwargs)
    assert base + path in str(err.value)
    assert cause in str(err.value)


def test_fetch_timeout_is_bounded(base: str) -> None:
    started = time.monotonic()
    with pytest.raises(CatalogFetchError, match=r"no answer within 0.5 s \(timeout\)"):
        fetch(f"{base}/slow", timeout=TIMEOUT)
    assert time.monotonic() - started < SLOW_SECONDS


def test_fetch_through_a_proxy(base: str, server: _Server) -> None:
    releases = fetch("http://catalog.example.invalid/mirror.json", proxy=base, timeout=5)
    assert "11.17.2 build 52000" in dates(releases)
    assert server.hits == ["proxy:/mirror.json"]


def test_fetch_reports_a_dead_proxy() -> None:
    with pytest.raises(CatalogFetchError, match=r"the proxy http://127.0.0.1:9 refused or failed"):
        fetch("http://catalog.example.invalid/mirror.json", proxy="http://127.0.0.1:9", timeout=2)


def test_fetch_reports_tls_failures(base: str) -> None:
    tls_url = base.replace("http://", "https://") + "/mirror.json"  # the server speaks plain HTTP
    with pytest.raises(CatalogFetchError, match="TLS verification failed") as err:
        fetch(tls_url, timeout=2)
    assert tls_url in str(err.value)


def test_fetch_connection_refused() -> None:
    with pytest.raises(CatalogFetchError, match="connection failed"):
        fetch("http://127.0.0.1:9/whats-new.html", timeout=2)


def test_fetch_without_requests_names_the_missing_library(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "requests", None)  # makes "import requests" raise ImportError
    with pytest.raises(CatalogFetchError, match="requests is missing on the controller"):
        fetch("http://127.0.0.1:9/whats-new.html", timeout=2)


@pytest.mark.parametrize(
    "module",
    [
        "ansible_collections.ctxlic.license_server.plugins.action.info",
        "ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.catalog",
    ],
)
def test_reading_the_catalog_does_not_import_requests(module: str) -> None:
    """info runs in every forked worker: importing requests there costs ~190 ms and 16 MiB each."""
    code = (
        f"import sys, {module}\n"
        "from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import catalog as catalog_store\n"
        "catalog_store.load_shipped()\n"
        "print('requests' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("url", "kwargs", "message"),
    [
        ("ftp://example.com/x", {}, "must be an http:// or https:// URL"),
        ("https:///nohost", {}, "with a host name"),
        ("", {}, "must be an http"),
        ("https://example.com", {"fmt": "xml"}, "catalog_format 'xml'"),
        ("https://example.com", {"timeout": 0}, "timeout 0"),
        ("https://example.com", {"max_redirects": -1}, "max_redirects"),
    ],
)
def test_fetch_rejects_invalid_arguments(url: str, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        fetch(url, **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Cache
# ---------------------------------------------------------------------------------------------


def test_cache_round_trip_is_atomic(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "cache.json"
    releases = [Release(parse_ls_version("11.17.2 build 52000"), date(2025, 9, 15), "https://m")]
    save_cache(path, releases, NOW, "https://m")
    assert [p.name for p in path.parent.iterdir()] == ["cache.json"]  # no temporary file left behind
    record = load_cache(path)
    assert record is not None
    assert (record.url, record.fetched_at, record.releases) == ("https://m", NOW, tuple(releases))


def test_failed_cache_write_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(atomic_file.os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        save_cache(tmp_path / "cache.json", [], NOW, "https://m")
    assert list(tmp_path.iterdir()) == []


def test_missing_cache_is_none(tmp_path: Path) -> None:
    assert load_cache(tmp_path / "absent.json") is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ('{"schema_version": 99}', "unknown layout"),
        ('{"schema_version": 1, "releases": []}', "lacks 'url' or 'fetched_at'"),
        ('{"schema_version": 1, "url": "u", "fetched_at": "yesterday", "releases": []}', "is invalid"),
        ('{"schema_version": 1, "url": "u", "fetched_at": "2026-01-01T00:00:00", "releases": [5]}', "is invalid"),
    ],
)
def test_corrupt_cache_is_a_ctxlic_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "cache.json"
    path.write_text(content)
    with pytest.raises(CtxlicError, match=message):
        load_cache(path)


# ---------------------------------------------------------------------------------------------
# Refresh
# ---------------------------------------------------------------------------------------------


def test_refresh_success_merges_and_saves_the_cache(base: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache.json"
    catalog, warnings = refresh(f"{base}/whats-new-latest", cache, now=NOW)
    assert warnings == []
    assert catalog.origin == f"shipped+fetched:{base}/whats-new-latest"
    assert catalog.fetched_at == NOW
    merged = dates(catalog.releases)
    assert len(merged) == 18  # 16 shipped + 52000 + 53000
    assert merged["11.17.2 build 51000"] == "2024-12-12"  # the exact fetched day replaced December 2024
    by_build = {r.version.build: r for r in catalog.releases}
    assert by_build[51000].date_precision == "day"
    assert by_build[34000].source.startswith("Citrix Licensing 11.17.2 build 49000")  # shipped keeps its source
    record = load_cache(cache)
    assert record is not None
    assert record.url == f"{base}/whats-new-latest"
    assert len(record.releases) == 4


def test_refresh_reports_date_conflicts(base: str, tmp_path: Path) -> None:
    catalog, warnings = refresh(f"{base}/conflict.json", tmp_path / "c.json", now=NOW)
    assert dates(catalog.releases)["11.17.2 build 49000"] == "2024-08-20"
    assert len(warnings) == 1
    assert "differs from the shipped date 2024-08-12" in warnings[0]


FAILURES = [
    ("/missing", "HTTP 404"),
    ("/error", "HTTP 500"),
    ("/slow", "timeout"),
    ("/loop", "redirect loop"),
    ("/malformed.html", "No releases found"),
    ("/invalid.json", "not valid JSON"),
]


@pytest.mark.parametrize(("path", "cause"), FAILURES)
def test_refresh_failure_keeps_the_last_good_cache(base: str, tmp_path: Path, path: str, cause: str) -> None:
    cache = tmp_path / "cache.json"
    good, _dummy = refresh(f"{base}/whats-new-latest", cache, now=NOW - timedelta(days=3))
    before = cache.read_bytes()

    catalog, warnings = refresh(base + path, cache, now=NOW, timeout=TIMEOUT)

    assert catalog.releases == good.releases
    assert catalog.fetched_at == NOW - timedelta(days=3)
    assert catalog.origin == f"shipped+cache:{base}/whats-new-latest"
    assert cache.read_bytes() == before  # the last good cache is not overwritten
    assert len(warnings) == 1
    assert warnings[0].startswith("Release catalog refresh failed.")
    assert base + path in warnings[0]
    assert cause in warnings[0]
    assert "Keeping the last good catalog" in warnings[0]


@pytest.mark.parametrize(("path", "cause"), FAILURES)
def test_refresh_failure_without_cache_uses_shipped_data(base: str, tmp_path: Path, path: str, cause: str) -> None:
    catalog, warnings = refresh(base + path, tmp_path / "cache.json", now=NOW, timeout=TIMEOUT)
    assert catalog == load_shipped()
    assert cause in warnings[0]
    assert "using the shipped release data only" in warnings[0]
    assert not (tmp_path / "cache.json").exists()


def test_refresh_ignores_a_corrupt_cache(base: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache.json"
    cache.write_text("{broken")
    catalog, warnings = refresh(f"{base}/missing", cache, now=NOW)
    assert catalog == load_shipped()
    assert len(warnings) == 2
    assert "HTTP 404" in warnings[0]
    assert "Ignoring the release catalog cache" in warnings[1]
    catalog, warnings = refresh(f"{base}/mirror.json", cache, now=NOW)
    assert "Ignoring the release catalog cache" in warnings[0]
    assert load_cache(cache) is not None  # rewritten after the next good fetch


def test_refresh_without_url_uses_shipped_and_cache(base: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache.json"
    assert refresh(None, cache, now=NOW) == (load_shipped(), [])
    refresh(f"{base}/mirror.json", cache, now=NOW)
    catalog, warnings = refresh(None, cache, now=NOW + timedelta(days=30))
    assert warnings == []
    assert catalog.origin == f"shipped+cache:{base}/mirror.json"
    assert "11.17.2 build 52000" in dates(catalog.releases)


def test_refresh_within_cache_ttl_does_not_fetch(base: str, server: _Server, tmp_path: Path) -> None:
    cache = tmp_path / "cache.json"
    url = f"{base}/mirror.json"
    refresh(url, cache, now=NOW, cache_ttl=3600)
    assert server.hits == ["/mirror.json"]
    catalog, _dummy = refresh(url, cache, now=NOW + timedelta(minutes=59), cache_ttl=3600)
    assert server.hits == ["/mirror.json"]
    assert catalog.origin == f"shipped+cache:{url}"
    refresh(url, cache, now=NOW + timedelta(minutes=61), cache_ttl=3600)
    assert server.hits == ["/mirror.json", "/mirror.json"]
    refresh(f"{base}/mirror", cache, now=NOW + timedelta(minutes=62), cache_ttl=3600)  # another URL: fetch
    assert server.hits[-1] == "/mirror"


def test_refresh_warns_when_the_cache_cannot_be_written(base: str, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    catalog, warnings = refresh(f"{base}/mirror.json", blocker / "cache.json", now=NOW)
    assert catalog.origin.startswith("shipped+fetched:")
    assert "Ignoring the release catalog cache" in warnings[0]  # the path cannot be read either
    assert "Could not write the release catalog cache" in warnings[-1]


def test_refresh_takes_naive_now_as_utc(base: str, tmp_path: Path) -> None:
    catalog, _dummy = refresh(f"{base}/mirror.json", tmp_path / "c.json", now=datetime(2026, 1, 1, 12, 0))
    assert catalog.fetched_at == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "kwargs", "message"),
    [
        ("ftp://x/y", {}, "catalog_url 'ftp://x/y'"),
        ("https://x/y", {"now": "2026-01-01"}, "must be a datetime"),
        ("https://x/y", {"cache_ttl": -5}, "cache_ttl"),
        ("https://x/y", {"fmt": "csv"}, "catalog_format"),
        ("https://x/y", {"cache_path": 5}, "catalog_cache 5"),
    ],
)
def test_refresh_raises_only_for_invalid_arguments(url: str, kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"now": NOW, "cache_path": None}
    args.update(kwargs)
    cache_path = args.pop("cache_path")
    with pytest.raises(InputError, match=message):
        # pylint: disable-next=redundant-keyword-arg  # cache_path was popped from args above
        refresh(url, cache_path, **args)  # type: ignore[arg-type]


def _refresh_in_child(url: str, cache: str, offset_seconds: int, results: object) -> None:
    catalog, warnings = refresh(url, cache, now=NOW - timedelta(seconds=offset_seconds), cache_ttl=3600)
    results.put((catalog.origin, warnings))  # type: ignore[attr-defined]


def test_parallel_hosts_fetch_the_catalog_once_per_run(base: str, server: _Server, tmp_path: Path) -> None:
    """Issue 13: forked upgrade_window tasks all missed the cache at once and each fetched the page.

    Four processes refresh the same URL into the same cache at the same moment; the page answers
    slowly so that they overlap. Under the lock the first fetches and saves, the others wait and use
    its cache (their clocks a few seconds earlier than the fetch, as forks started together are).
    """
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    cache = str(tmp_path / "cache.json")
    url = f"{base}/delayed-mirror.json"
    procs = [ctx.Process(target=_refresh_in_child, args=(url, cache, i, results)) for i in range(4)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(30)
    outcomes = [results.get(timeout=5) for _proc in procs]
    assert server.hits.count("/delayed-mirror.json") == 1
    origins = sorted(origin for origin, _warnings in outcomes)
    assert origins.count(f"shipped+fetched:{url}") == 1
    assert origins.count(f"shipped+cache:{url}") == 3
    assert all(warnings == [] for _origin, warnings in outcomes)
    assert (tmp_path / "cache.json.lock").exists()


def test_refresh_lock_times_out_and_says_so(base: str, tmp_path: Path) -> None:
    import fcntl
    import os

    cache = tmp_path / "cache.json"
    handle = os.open(str(cache) + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with catalog_store.refresh_lock(cache, 0.2) as state:
            assert state == "timeout"
    finally:
        os.close(handle)
    with catalog_store.refresh_lock(cache, 0.2) as state:
        assert state == "held"
