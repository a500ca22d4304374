"""The one place loc uses the network (``loc fetch``): HTTP GET with requests and urllib3's
``Retry`` (connection errors, 429 and 5xx retried with backoff, ``Retry-After`` respected),
an overall deadline per download, a size cap, redirects only within the same origin, a
User-Agent naming loc, and a content-addressed cache of answers that passed validation.

Downloads are cached under ``cache_dir()/downloads/<sha256>`` with an index mapping each URL
to its latest download; ``offline=True`` answers from the cache only. An answer that fails
validation (not JSON, no occupied area) is never cached or stored.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from loc import __version__, config
from loc.dates import parse_date
from loc.errors import FetchError, LocError
from loc.io.hashing import bytes_sha256
from loc.io.readers import snapshot_from_api
from loc.io.writers import locked, write_atomic
from loc.model import Snapshot
from loc.sources import deepstate

USER_AGENT = f"loc/{__version__} (lines of control toolkit; python-requests)"
MAX_BYTES = 64 * 1024 * 1024
"""Largest answer accepted, bytes."""
TIMEOUT_S = 30.0
"""Longest wait for a connection or for the next bytes, seconds."""
DEADLINE_S = 120.0
"""Longest a whole download may take, retries included, seconds."""
RETRIES = 3
BACKOFF_S = 1.0
MAX_REDIRECTS = 5


@dataclass
class Download:
    """One answer.

    Attributes
    ----------
    url : str
        The URL asked for.
    data : bytes
        The answer.
    sha256 : str
        Its SHA-256.
    path : pathlib.Path
        Where the cache keeps it.
    from_cache : bool
        Whether it came from the cache.
    """

    url: str
    data: bytes
    sha256: str
    path: Path
    from_cache: bool


def cache_root() -> Path:
    """The download cache folder.

    Returns
    -------
    pathlib.Path
        ``cache_dir()/downloads``.
    """
    return config.cache_dir() / "downloads"


def _index_path() -> Path:
    return cache_root() / "index.json"


def _index() -> dict:
    try:
        doc = json.loads(_index_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def cached(url: str) -> Download | None:
    """The latest cached download of a URL, or None (also when the cached file no longer
    matches its hash).

    Parameters
    ----------
    url : str
        The URL.

    Returns
    -------
    Download or None
        The cached answer.
    """
    entry = _index().get(url)
    if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
        return None
    path = cache_root() / entry["sha256"]
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if bytes_sha256(data) != entry["sha256"]:
        return None
    return Download(url, data, entry["sha256"], path, True)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def _session(retries: int, backoff: float, url: str, deadline: float, deadline_s: float,
             timeout: float):
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    class DeadlineRetry(Retry):
        """Retry that never runs past the download's deadline (urllib3 sleeps and tries
        again inside the request, where the deadline is not looked at): a wait that would
        end after it, or a try that could then time out after it, stops the download
        instead (four tries of 30 s took 127 s against a deadline of 120 s)."""

        def sleep(self, response=None) -> None:
            wait = self.get_retry_after(response) if (
                response is not None and self.respect_retry_after_header) else None
            if wait is None:
                wait = self.get_backoff_time()
            if time.monotonic() + wait >= deadline:
                raise FetchError(f"{url}: the server asks to try again in {wait:g} s, after "
                                 f"the {deadline_s:g} s deadline")
            if time.monotonic() + wait + timeout > deadline:
                raise FetchError(f"{url}: no answer within the {deadline_s:g} s deadline "
                                 f"(another try of up to {timeout:g} s would end after it)")
            super().sleep(response)

    retry = DeadlineRetry(total=retries, connect=retries, read=retries, status=retries,
                          redirect=0, backoff_factor=backoff,
                          status_forcelist=(429, 500, 502, 503, 504),
                          allowed_methods=frozenset({"GET"}), respect_retry_after_header=True,
                          raise_on_status=False, raise_on_redirect=False)
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
    return session


def _causes(exc: BaseException):
    """An exception and what caused it (urllib3 wraps the cause in ``reason``)."""
    seen = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        yield cur
        reason = getattr(cur, "reason", None)
        nxt = reason if isinstance(reason, BaseException) else None
        if nxt is None and cur.args and isinstance(cur.args[0], BaseException):
            nxt = cur.args[0]
        cur = nxt or cur.__cause__ or cur.__context__


def _timed_out(exc: BaseException) -> bool:
    import urllib3

    causes = list(_causes(exc))
    if any(isinstance(e, (urllib3.exceptions.NewConnectionError, ConnectionRefusedError))
           for e in causes):
        return False  # refused (urllib3's NewConnectionError is a kind of timeout error)
    return any(isinstance(e, (TimeoutError, urllib3.exceptions.TimeoutError)) for e in causes)


def _reason(exc: BaseException) -> str:
    last = list(_causes(exc))[-1]
    text = " ".join(str(last).split())[:120]
    return f"{type(last).__name__}: {text}" if text else type(last).__name__


def _read_body(resp, url: str, max_bytes: int, deadline: float,
               deadline_s: float) -> bytes:
    """The body, read in small steps so that the deadline and the cap hold even for a
    server that sends a byte now and then; a watchdog closes the socket at the deadline."""
    length = resp.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise FetchError(f"{url}: answer of {int(length):,} bytes is over the "
                         f"{max_bytes:,}-byte limit")
    expired = threading.Event()

    def stop() -> None:
        expired.set()
        sock = getattr(getattr(resp.raw, "connection", None), "sock", None)
        if sock is not None:
            try:
                import socket

                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        resp.close()

    watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), stop)
    watchdog.daemon = True
    watchdog.start()
    chunks, total = [], 0
    try:
        while True:
            if time.monotonic() > deadline:
                expired.set()
                break
            block = resp.raw.read1(65536, decode_content=True)
            if not block:
                break
            total += len(block)
            if total > max_bytes:
                raise FetchError(f"{url}: answer is over the {max_bytes:,}-byte limit")
            chunks.append(block)
    except FetchError:
        raise
    except Exception as exc:  # a read interrupted by the watchdog or by the server
        if not expired.is_set():
            raise FetchError(f"{url}: the connection broke while reading "
                             f"({type(exc).__name__})") from None
    finally:
        watchdog.cancel()
    if expired.is_set():
        raise FetchError(f"{url}: download took longer than the {deadline_s:g} s deadline")
    return b"".join(chunks)


def get(url: str, *, timeout: float = TIMEOUT_S, deadline_s: float = DEADLINE_S,
        max_bytes: int = MAX_BYTES, retries: int = RETRIES, backoff: float | None = None,
        offline: bool = False, use_cache: bool = True,
        validate: Callable[[bytes], object] | None = None) -> Download:
    """GET a URL (the only function of loc that opens a network connection).

    Parameters
    ----------
    url : str
        An ``http`` or ``https`` URL.
    timeout : float
        Longest wait for a connection or for the next bytes, seconds.
    deadline_s : float
        Longest the whole download may take, retries included, seconds.
    max_bytes : int
        Largest answer accepted.
    retries : int
        Retries of connection errors, 429 and 5xx answers.
    backoff : float, optional
        Backoff factor between retries, seconds (default :data:`BACKOFF_S`).
    offline : bool
        Answer from the cache only.
    use_cache : bool
        Keep the answer in the cache (only after ``validate`` accepted it).
    validate : callable, optional
        Called with the bytes; raises :class:`~loc.errors.LocError` to refuse the answer
        (it is then not cached).

    Returns
    -------
    Download
        The answer.

    Raises
    ------
    FetchError
        One line: offline (no cached copy), refused, timed out, HTTP error, too large,
        redirected elsewhere, or refused by ``validate``.
    """
    if offline:
        hit = cached(url)
        if hit is None:
            raise FetchError(f"{url}: offline and not in the cache; run once online or "
                             "drop --offline")
        if validate is not None:
            validate(hit.data)
        return hit
    import requests

    scheme = urlsplit(url).scheme
    if scheme not in ("http", "https"):
        raise FetchError(f"{url}: only http and https URLs are fetched")
    start = time.monotonic()
    deadline = start + deadline_s
    session = _session(retries, BACKOFF_S if backoff is None else backoff, url, deadline,
                       deadline_s, timeout)
    origin = _origin(url)
    current = url
    try:
        for _ in range(MAX_REDIRECTS + 1):
            left = deadline - time.monotonic()
            if left <= 0:
                raise FetchError(f"{url}: no answer within the {deadline_s:g} s deadline")
            try:
                resp = session.get(current, stream=True, allow_redirects=False,
                                   timeout=(min(timeout, left), min(timeout, left)))
            except requests.exceptions.Timeout:
                raise FetchError(f"{url}: timed out after {timeout:g} s (retried "
                                 f"{retries} time{'s' if retries != 1 else ''})") from None
            except requests.exceptions.ConnectionError as exc:
                if _timed_out(exc):
                    raise FetchError(f"{url}: timed out after {timeout:g} s (retried "
                                     f"{retries} time{'s' if retries != 1 else ''})") from None
                raise FetchError(f"{url}: cannot connect ({_reason(exc)}); are you offline? "
                                 "--offline uses the cache") from None
            except requests.exceptions.RequestException as exc:
                raise FetchError(f"{url}: request failed ({type(exc).__name__})") from None
            if resp.is_redirect:
                target = urljoin(current, resp.headers.get("Location", ""))
                resp.close()
                if _origin(target) != origin:
                    raise FetchError(f"{url}: redirected to another host or port "
                                     f"({_origin(target)[1]}:{_origin(target)[2]}); refused")
                current = target
                continue
            if resp.status_code >= 400:
                reason = " ".join(str(resp.reason or "").split())[:80]
                resp.close()
                raise FetchError(f"{url}: HTTP {resp.status_code} {reason}".rstrip())
            data = _read_body(resp, url, max_bytes, deadline, deadline_s)
            break
        else:
            raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")
    finally:
        session.close()
    if validate is not None:
        validate(data)
    digest = bytes_sha256(data)
    path = cache_root() / digest
    if use_cache:
        write_atomic(path, data)
        with locked(_index_path()):
            index = _index()
            index[url] = {"sha256": digest, "bytes": len(data)}
            write_atomic(_index_path(), json.dumps(index, indent=1, sort_keys=True))
    return Download(url, data, digest, path, False)


def list_cache() -> list[dict]:
    """Cached downloads.

    Returns
    -------
    list of dict
        ``url``, ``sha256``, ``bytes`` of each, by URL.
    """
    return [{"url": u, **e} for u, e in sorted(_index().items()) if isinstance(e, dict)]


def clear_cache() -> int:
    """Delete every cached download.

    Returns
    -------
    int
        How many files were removed.
    """
    root = cache_root()
    n = 0
    if root.is_dir():
        for p in root.iterdir():
            if p.is_file() and not p.name.startswith("."):
                p.unlink()
                n += 1
    return n


def _snapshot_of(data: bytes, url: str) -> Snapshot:
    try:
        snap = snapshot_from_api(data, url)
    except LocError as exc:
        raise FetchError(f"refused the answer: {exc}") from None
    if snap.occupied.is_empty or snap.occupied_km2() <= 0:
        raise FetchError(f"{url}: the answer holds no occupied area; refused (not cached, "
                         "not stored)")
    return snap


def deepstate_versions(offline: bool = False) -> list[dict]:
    """DeepStateMap's published versions, oldest first.

    Parameters
    ----------
    offline : bool
        Answer from the cache only.

    Returns
    -------
    list of dict
        See :func:`loc.sources.deepstate.parse_versions`.
    """
    url = deepstate.versions_url(config.deepstate_url())
    return deepstate.parse_versions(
        get(url, offline=offline, validate=lambda b: deepstate.parse_versions(b, url)).data,
        url)


def fetch_deepstate(date: str | dt.date | None = None,
                    offline: bool = False) -> tuple[Snapshot, Download]:
    """Download DeepStateMap's map (the latest, or the last version on or before ``date``).

    Parameters
    ----------
    date : str or datetime.date, optional
        The date; default the latest version.
    offline : bool
        Answer from the cache only.

    Returns
    -------
    (Snapshot, Download)
        The validated snapshot and the raw answer (kept in the download cache).

    Raises
    ------
    FetchError
        One line; an answer with no occupied area is refused and not cached.
    """
    base = config.deepstate_url()
    if date is None:
        url = deepstate.last_url(base)
    else:
        best = deepstate.pick_version(deepstate_versions(offline=offline), parse_date(date))
        url = deepstate.version_url(base, best["id"])
    holder: dict = {}

    def check(data: bytes) -> None:
        holder["snap"] = _snapshot_of(data, url)

    d = get(url, offline=offline, validate=check)
    return holder["snap"], d
