"""Content hashes: SHA-256 of files and bytes, the keys of caches and manifests, and the
warning for a series holding one file's bytes under two dates."""

from __future__ import annotations

import datetime as dt
import hashlib
import warnings
from collections.abc import Iterable
from pathlib import Path

from loc.errors import LocWarning


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


def warn_repeated(members: Iterable[tuple[dt.date | None, str | None, str | None, str]]
                  ) -> None:
    """Warn where a file of a series is byte for byte a file of an earlier date with
    another content between (A, B, A), or has, in other bytes, exactly the geometry of
    one with another geometry between: the same map published again after a change is
    rare, a file copied under the wrong date's name (its layer name edited too, say) is
    not, and its figures would be the earlier date's. A run of identical files (A, A:
    nothing changed) is no warning.

    Parameters
    ----------
    members : iterable of (datetime.date, str or None, str or None, str)
        Each member's date, SHA-256 of its file (None: built in memory, not checked), a
        digest of its geometry (None: not known; digests of one kind throughout, such as
        :attr:`loc.model.Snapshot.geometry_sha256` or
        :func:`loc.io.rings.shape_digest`) and name, oldest first, of one source.

    Warns
    -----
    LocWarning
        Once for each member whose content (else geometry) came before, naming the
        earlier one.

    Examples
    --------
    >>> import datetime as dt, warnings
    >>> d = [dt.date(2025, 9, k) for k in (5, 6, 7, 8)]
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     warn_repeated(zip(d, ["a", "b", "a", "c"], ["g", "h", "g", "h"],
    ...                       ["x5", "x6", "x7", "x8"]))
    >>> print(w[0].message)  # doctest: +ELLIPSIS
    x7: its bytes are those of x5 (2025-09-05), with another content between: ...
    >>> print(w[1].message)  # doctest: +ELLIPSIS
    x8: its geometry is exactly that of x6 (2025-09-06) in other bytes, with another ...
    >>> len(w)
    2
    """
    first: dict[str, tuple[dt.date | None, str]] = {}
    shapes: dict[str, tuple[dt.date | None, str]] = {}
    prev = prev_shape = None
    for day, digest, shape, where in members:
        seen = first.get(digest) if digest is not None else None
        was = shapes.get(shape) if shape is not None else None
        if seen is not None and digest != prev:
            warnings.warn(f"{where}: its bytes are those of {seen[1]}{_when(seen[0])}, with "
                          "another content between: a copy under the wrong date, or an edit "
                          "undone? Its figures are that date's", LocWarning, stacklevel=3)
        elif seen is None and was is not None and shape != prev_shape:
            bytes_ = " in other bytes" if digest is not None else ""
            warnings.warn(f"{where}: its geometry is exactly that of {was[1]}{_when(was[0])}"
                          f"{bytes_}, with another geometry between: a copy under the wrong "
                          "date, or an edit undone? Its figures are that date's",
                          LocWarning, stacklevel=3)
        if digest is not None:
            first.setdefault(digest, (day, where))
        if shape is not None:
            shapes.setdefault(shape, (day, where))
        prev, prev_shape = digest, shape


def _when(day: dt.date | None) -> str:
    """`` (YYYY-MM-DD)`` or nothing."""
    return f" ({day.isoformat()})" if day else ""
