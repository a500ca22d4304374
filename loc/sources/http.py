"""The one place loc uses the network: HTTP GET with a timeout, a size cap, retries with
backoff, a User-Agent naming loc, and a content-addressed cache.

Downloads are cached under ``cache_dir()/downloads/<sha256>`` with an index mapping each URL
to its latest download; ``offline=True`` answers from the cache only.
"""

from __future__ import annotations

import hashlib
import json
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from loc import __version__
from loc.errors import LocError
from loc.io import write_atomic

USER_AGENT = f"loc/{__version__} (lines of control toolkit; python urllib)"
MAX_BYTES = 64 * 1024 * 1024
TIMEOUT_S = 30.0
RETRIES = 3
BACKOFF_S = 1.0


class FetchError(LocError):
    """A download failed: offline, timed out, refused, too large or not what was expected."""


@dataclass
class Download:
    url: str
    data: bytes
    sha256: str
    path: Path
    from_cache: bool


def cache_root() -> Path:
    from loc.timeline import cache_dir

    return cache_dir() / "downloads"


def _index_path() -> Path:
    return cache_root() / "index.json"


def _index() -> dict:
    try:
        return json.loads(_index_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def cached(url: str) -> Download | None:
    """The latest cached download of a URL, or None."""
    entry = _index().get(url)
    if not entry:
        return None
    path = cache_root() / entry["sha256"]
    if not path.exists():
        return None
    data = path.read_bytes()
    return Download(url, data, entry["sha256"], path, True)


def get(url: str, *, timeout: float = TIMEOUT_S, max_bytes: int = MAX_BYTES,
        retries: int = RETRIES, backoff: float = BACKOFF_S, offline: bool = False,
        use_cache: bool = True) -> Download:
    """GET a URL; retries server errors and time-outs with exponential backoff.

    Raises
    ------
    FetchError
        One line: offline (no cached copy), refused, timed out, HTTP error, too large.
    """
    if offline:
        hit = cached(url)
        if hit is None:
            raise FetchError(f"{url}: offline and not in the cache; run once online or "
                             "drop --offline")
        return hit
    last = "no attempt"
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT,  # noqa: S310
                                                   "Accept": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
                length = resp.headers.get("Content-Length")
                if length and int(length) > max_bytes:
                    raise FetchError(f"{url}: response of {int(length):,} bytes is over the "
                                     f"{max_bytes:,}-byte limit")
                data = resp.read(max_bytes + 1)
                if len(data) > max_bytes:
                    raise FetchError(f"{url}: response is over the {max_bytes:,}-byte limit")
                break
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code} {exc.reason}"
            if exc.code < 500 and exc.code != 429:
                raise FetchError(f"{url}: {last}") from None
        except TimeoutError:
            last = f"timed out after {timeout:g} s"
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                last = f"timed out after {timeout:g} s"
            else:
                raise FetchError(f"{url}: cannot connect ({reason}); are you offline? "
                                 "--offline uses the cache") from None
        except ConnectionError as exc:
            raise FetchError(f"{url}: cannot connect ({exc}); are you offline? --offline "
                             "uses the cache") from None
    else:
        raise FetchError(f"{url}: failed after {retries + 1} attempts ({last})")
    digest = hashlib.sha256(data).hexdigest()
    path = cache_root() / digest
    if use_cache:
        write_atomic(path, data)
        index = _index()
        index[url] = {"sha256": digest, "bytes": len(data)}
        write_atomic(_index_path(), json.dumps(index, indent=1, sort_keys=True))
    return Download(url, data, digest, path, False)


def list_cache() -> list[dict]:
    """Cached downloads: url, sha256, bytes."""
    return [{"url": u, **e} for u, e in sorted(_index().items())]


def clear_cache() -> int:
    """Delete every cached download; returns how many files were removed."""
    root = cache_root()
    n = 0
    if root.is_dir():
        for p in root.iterdir():
            if p.is_file():
                p.unlink()
                n += 1
    return n
