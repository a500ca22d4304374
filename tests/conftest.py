"""Shared fixtures: the real DeepState snapshots in ../shared/data (skipped when absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("LOC_SHARED_DATA", ROOT.parent / "shared" / "data"))
DEEPSTATE = SHARED / "deepstate"
REQUIRE = os.environ.get("LOC_REQUIRE_SHARED_DATA") == "1"


def _files() -> list[Path]:
    return sorted(DEEPSTATE.glob("deepstatemap_data_*.geojson")) if DEEPSTATE.is_dir() else []


def deepstate_files() -> list[Path]:
    """All shared DeepState archive files, oldest first; the calling test skips (fails in
    CI) when they are absent, rather than run on an empty list."""
    _need_shared()
    return _files()


def _need_shared() -> None:
    if not _files():
        msg = (f"real DeepState snapshots not found in {DEEPSTATE} (a user's clone has no "
               "../shared/data; set LOC_SHARED_DATA to point at it)")
        if REQUIRE:
            pytest.fail(msg + "; CI requires them")
        pytest.skip(msg)


@pytest.fixture(scope="session")
def deepstate_dir() -> Path:
    _need_shared()
    return DEEPSTATE


def deepstate_path(day: str) -> Path:
    """Path of the shared file for ``YYYYMMDD`` (skips when the data is absent)."""
    _need_shared()
    return DEEPSTATE / f"deepstatemap_data_{day}.geojson"


def without_layer_name(raw: bytes) -> bytes:
    """An archive file's bytes without its FeatureCollection ``name`` (which says its date):
    a file that says its date in its name only."""
    import re

    out, n = re.subn(rb'"name": "deepstatemap_data_\d{8}",', b"", raw, count=1)
    assert n == 1
    return out


@pytest.fixture(scope="session")
def snap_20250905():
    import loc

    return loc.read(deepstate_path("20250905"))


@pytest.fixture(scope="session")
def snap_20250108():
    import loc

    return loc.read(deepstate_path("20250108"))


@pytest.fixture(scope="session")
def snap_20240708():
    import loc

    return loc.read(deepstate_path("20240708"))


def repeat_warning(where, earlier, day: str, between, geometry: bool = False,
                   other_bytes: bool = True) -> str:
    """The warning of a series member ``where`` whose bytes (or ``geometry``) are those of
    ``earlier`` of ``day``, with ``between`` the last member between them (None: the
    first of another source)."""
    what = (f"its geometry is that of {earlier} ({day}), vertex for vertex"
            f"{' in other bytes' if other_bytes else ''}, with another geometry" if geometry
            else f"its bytes are those of {earlier} ({day}), with another content")
    tail = f" between ({between})" if between is not None else " under another source"
    return (f"{where}: {what}{tail}: a copy under the wrong date (this one or one between), "
            "or an edit undone? Its figures are that date's")
