"""Content hashes: SHA-256 of files and bytes, the keys of caches and manifests, and the
warning for a series holding one file's bytes under two dates."""

from __future__ import annotations

import datetime as dt
import hashlib
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import shapely

from loc.errors import LocWarning
from loc.geo import polygon_parts


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    str
        64 hex digits.
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def bytes_sha256(data: bytes) -> str:
    """Hex SHA-256 of bytes.

    Parameters
    ----------
    data : bytes
        The bytes.

    Returns
    -------
    str
        64 hex digits.

    Examples
    --------
    >>> bytes_sha256(b"")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(data).hexdigest()


SIDECARS: dict[str, tuple[str, ...]] = {
    ".shp": (".shx", ".dbf", ".prj", ".cpg"),
    ".csv": (".csvt", ".prj"),
    ".gml": (".gfs", ".xsd"),
    ".tab": (".dat", ".map", ".id", ".ind"),
    ".mif": (".mid",),
}
"""The files GDAL reads beside a file of each suffix (a shapefile's index, attributes, CRS
and encoding; a CSV's field types and CRS; a GML's schemas; a MapInfo table's parts). A
GeoPackage's write-ahead log (``-wal``) is read too."""


def read_set(path: str | Path) -> list[Path]:
    """The files GDAL reads when it opens ``path``: the file and those of its sidecars
    (:data:`SIDECARS`) that exist, found as GDAL finds them (the suffix in lower, then upper
    case).

    Parameters
    ----------
    path : str or Path
        The file named.

    Returns
    -------
    list of pathlib.Path
        The file first, then its sidecars in the order of :data:`SIDECARS`.

    Examples
    --------
    >>> read_set("no-such-file.geojson")
    [PosixPath('no-such-file.geojson')]
    """
    path = Path(path)
    found = [path]
    for ext in SIDECARS.get(path.suffix.lower(), ()):
        for candidate in (path.with_suffix(ext), path.with_suffix(ext.upper())):
            if candidate.is_file():
                found.append(candidate)
                break
    if path.suffix.lower() == ".gpkg":
        wal = path.with_name(path.name + "-wal")
        if wal.is_file():
            found.append(wal)
    return found


def input_sha256(path: str | Path, data: bytes | None = None) -> str:
    """Hex SHA-256 of everything GDAL reads for an input (:func:`read_set`): the file's
    bytes alone when it has no sidecars (so a GeoJSON's is :func:`file_sha256`), else of
    each file's suffix and SHA-256 in turn. The one hash a snapshot records and that
    verification recomputes: a changed ``.prj`` or ``.dbf`` changes it.

    Parameters
    ----------
    path : str or Path
        The file named.
    data : bytes, optional
        The file's bytes as the caller read them: hashed instead of the file (its sidecars
        are read), so the hash is of the very bytes the caller parsed.

    Returns
    -------
    str
        64 hex digits.

    Examples
    --------
    >>> input_sha256("no-such-file.geojson", data=b"") == bytes_sha256(b"")
    True
    """
    files = read_set(path)

    def sha(f: Path) -> str:
        return file_sha256(f) if data is None or f != files[0] else bytes_sha256(data)

    if len(files) == 1:
        return sha(files[0])
    h = hashlib.sha256()
    for f in files:
        h.update(f"{f.name[len(Path(path).stem):].lower()}\0{sha(f)}\n".encode())
    return h.hexdigest()


DIGEST_DECIMALS = 5
"""Decimals of a degree (1e-5°: about 1.1 m of latitude) a geometry's digest keeps: a
conversion that rounds or shifts the last digits (GDAL's RFC 7946 output keeps seven, KML
moves some by 1e-9) keeps the geometry's digest, and no two maps of different dates agree
vertex for vertex to a metre."""


def ring_digest(lonlat: np.ndarray) -> bytes:
    """A digest of a ring's positions whatever way round and from whichever vertex it is
    written (counter-clockwise from its smallest vertex), rounded to :data:`DIGEST_DECIMALS`:
    two rings with one digest are the same ring, vertex for vertex, to about a metre.

    Parameters
    ----------
    lonlat : numpy.ndarray
        ``(n, 2)`` positions (or more columns: the first two count), closed or not.

    Returns
    -------
    bytes
        16 bytes (BLAKE2b).

    Examples
    --------
    >>> a = np.array([[0, 0], [1, 0], [1, 1], [0, 0]], dtype=float)
    >>> ring_digest(a) == ring_digest(a[::-1]) == ring_digest(np.roll(a[:-1], 1, axis=0))
    True
    """
    c = np.round(np.asarray(lonlat, dtype=np.float64)[:, :2], DIGEST_DECIMALS) + 0.0
    if len(c) > 1 and np.array_equal(c[0], c[-1]):
        c = c[:-1]
    h = hashlib.blake2b(digest_size=16)
    if len(c) >= 3 and np.isfinite(c).all():  # (a ring with NaN is hashed as written)
        west = np.flatnonzero(c[:, 0] == c[:, 0].min())  # the vertex of least (lon, lat):
        k = int(west[np.argmin(c[west, 1])])  # on the hull, so the turn there is the ring's
        (ax, ay), (bx, by), (cx, cy) = c[k - 1], c[k], c[(k + 1) % len(c)]
        if (bx - ax) * (cy - by) - (by - ay) * (cx - bx) < 0:  # clockwise: the other way
            c = np.ascontiguousarray(c[::-1])
            k = len(c) - 1 - k
        h.update(np.ascontiguousarray(c[k:]).data)
        h.update(np.ascontiguousarray(c[:k]).data)
    else:
        h.update(np.ascontiguousarray(c).data)
    return h.digest()


def polygons_digest(polygons: Iterable[Sequence[bytes]]) -> str:
    """A digest of polygons given as their rings' :func:`ring_digest` (exterior first):
    holes in any order, polygons in any order.

    Parameters
    ----------
    polygons : iterable of sequences of bytes
        Each polygon's ring digests, exterior first.

    Returns
    -------
    str
        32 hex digits.
    """
    parts = sorted(p[0] + b"".join(sorted(p[1:])) for p in polygons)
    return hashlib.blake2b(b"|".join(parts), digest_size=16).hexdigest()


def geometry_digest(geom) -> str:
    """The digest of a lon/lat (Multi)Polygon's shape by :func:`polygons_digest`: the
    same for two files of one geometry whatever their bytes (a layer name, properties,
    number text, ring direction and start, polygon order, a conversion by GDAL), so a
    copy of one date under another is recognised.

    Parameters
    ----------
    geom : shapely geometry
        Polygons (other parts are left out).

    Returns
    -------
    str
        32 hex digits.

    Examples
    --------
    >>> sq = shapely.box(30, 50, 31, 51)
    >>> geometry_digest(sq) == geometry_digest(shapely.reverse(sq))
    True
    >>> geometry_digest(sq) == geometry_digest(shapely.box(30, 50, 31, 51.5))
    False
    """
    polys = polygon_parts(geom)
    return polygons_digest([ring_digest(shapely.get_coordinates(r))
                            for r in shapely.get_rings(p)] for p in polys)


SIDE_DIGEST = "geometry_digest"
"""The key (with the side's name) under which a snapshot keeps the
:func:`geometry_digest` of a side (see :func:`side_digest`)."""


def side_digest(snap, name: str) -> str:
    """The :func:`geometry_digest` of one given side of a snapshot, computed once (a
    reader that knows it already leaves it under ``(SIDE_DIGEST, name)``).

    Parameters
    ----------
    snap : loc.Snapshot
        The snapshot.
    name : str
        A side it gives.

    Returns
    -------
    str
        32 hex digits.

    Examples
    --------
    >>> import loc
    >>> s = loc.read(loc.sample_paths()[0])
    >>> side_digest(s, "ru") == geometry_digest(s.given["ru"])
    True
    """
    return snap.memo((SIDE_DIGEST, name), lambda: geometry_digest(snap.given[name]))


def warn_repeated(members: Iterable[tuple[dt.date | None, str | None, str | None, str, str]],
                  across: set[str] | None = None) -> None:
    """Warn where a member of a series is byte for byte, or in other bytes has exactly the
    geometry of, a member of an earlier date while its own source's member before it
    differs (A, B, A; or a second source's first member that is another date's): the same
    map published again after a change is rare, a file copied under the wrong date's name
    (its layer name edited too, say) is not, and its figures would be the earlier date's.
    A run of identical members (A, A: nothing changed) is no warning.

    Parameters
    ----------
    members : iterable of (datetime.date, str or None, str or None, str, str)
        Each member's date, SHA-256 of its file (None: built in memory, not checked), a
        digest of its geometry (None: not known; :func:`geometry_digest` or
        :func:`loc.io.rings.shape_digest`), name and source, oldest first.
    across : set of str, optional
        Names of some members (files being added to a store, say): only the warnings of a
        repeat and its earlier member that neither the others alone nor these members
        alone give, and that involve one other member (as the repeat, the earlier member or
        the one between), are given; the rest were given when those members came, or by
        the check of these members among themselves.

    Warns
    -----
    LocWarning
        Once for each member whose content (else geometry) came on an earlier date,
        naming that member and the last one between (this member, or one between, may
        be the copy).

    Examples
    --------
    >>> import datetime as dt, warnings
    >>> d = [dt.date(2025, 9, k) for k in (5, 6, 7, 8)]
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     warn_repeated(zip(d, ["a", "b", "a", "c"], ["g", "h", "g", "h"],
    ...                       ["x5", "x6", "x7", "x8"], ["s"] * 4))
    >>> print(w[0].message)  # doctest: +ELLIPSIS
    x7: its bytes are those of x5 (2025-09-05), with another content between (x6): ...
    >>> print(w[1].message)  # doctest: +ELLIPSIS
    x8: its geometry is that of x6 (2025-09-06), vertex for vertex in other bytes, with ...
    >>> len(w)
    2
    """
    members = list(members)
    found = _repeats(members)
    if across is not None:
        alone = _repeats([m for m in members if m[3] not in across])
        among = _repeats([m for m in members if m[3] in across])
        given = {(f[0], f[1]) for f in [*alone, *among]}
        found = [f for f in found if (f[0], f[1]) not in given and not set(f[:3]) <= across]
    for where, _, _, text in found:
        warnings.warn(f"{where}: {text}: a copy under the wrong date (this one or one "
                      "between), or an edit undone? Its figures are that date's",
                      LocWarning, stacklevel=3)


def _repeats(members: list) -> list[tuple[str, str, str, str]]:
    """:func:`warn_repeated`'s findings: each repeat's name, the earlier member's, the
    one's between (or the repeat's own, under another source) and what is said."""
    out = []
    first: dict[str, tuple[dt.date | None, str]] = {}
    shapes: dict[str, tuple[dt.date | None, str]] = {}
    last: dict[str, tuple[str | None, str | None, str]] = {}  # by source: its member before
    for day, digest, shape, where, source in members:
        prev = last.get(source)
        seen = _earlier(first, digest, day)
        was = _earlier(shapes, shape, day)
        what = earlier = None
        if seen is not None and (prev is None or digest != prev[0]):
            what = f"its bytes are those of {seen[1]}{_when(seen[0])}, with another content"
            earlier = seen[1]
        elif was is not None and seen is None and (prev is None or shape != prev[1]):
            what = (f"its geometry is that of {was[1]}{_when(was[0])}, vertex for vertex"
                    f"{' in other bytes' if digest is not None else ''}, with another geometry")
            earlier = was[1]
        if what is not None and earlier is not None:
            between = f" between ({prev[2]})" if prev is not None else " under another source"
            out.append((where, earlier, prev[2] if prev is not None else where,
                        what + between))
        if digest is not None:
            first.setdefault(digest, (day, where))
        if shape is not None:
            shapes.setdefault(shape, (day, where))
        last[source] = (digest, shape, where)
    return out


def _earlier(seen: dict[str, tuple[dt.date | None, str]], key: str | None,
             day: dt.date | None) -> tuple[dt.date | None, str] | None:
    """The first member of ``key`` if it is of a date before ``day``."""
    got = seen.get(key) if key is not None else None
    if got is None or (got[0] is not None and day is not None and got[0] >= day):
        return None
    return got


def _when(day: dt.date | None) -> str:
    """`` (YYYY-MM-DD)`` or nothing."""
    return f" ({day.isoformat()})" if day else ""
