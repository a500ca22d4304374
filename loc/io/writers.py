"""Writing outputs, one way each: atomic files and folders, deterministic JSON, GeoJSON,
GeoPackage and CSV (with formula injection neutralised), and a lock for shared files.

Every writer puts its output beside the target under a hidden temporary name that holds the
writer's process id (``.loc-<pid>-<random>.tmp``) and renames it into place, so an output
appears whole or not at all; leftovers of a writer that died are removed by the next write
into the same folder. Any failure (a full disk, a folder that is not writable, a GDAL error) is
one :class:`~loc.errors.OutputError` line, with nothing left behind.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from loc import config
from loc.errors import OptionError, OutputError, first_line

FORMATS = ("geojson", "gpkg", "csv")
"""Feature formats a GeoDataFrame can be written in."""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""A CSV cell starting with one of these is read as a formula by spreadsheets (OWASP)."""


def clean(value):
    """A value made plain for JSON: numpy scalars to Python, NaN to None, dates to text.

    Parameters
    ----------
    value : object
        Any value (dicts and lists are cleaned recursively).

    Returns
    -------
    object
        The plain value.
    """
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return None if not math.isfinite(v) else v
    if isinstance(value, np.bool_):
        return bool(value)
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def dumps(obj, indent: int | None = 2) -> str:
    """Deterministic JSON: numpy values converted, NaN and infinity as null, keys as given.

    Parameters
    ----------
    obj : object
        The document.
    indent : int, optional
        Indentation (None: one line).

    Returns
    -------
    str
        The JSON text.

    Examples
    --------
    >>> dumps({"a": float("nan"), "b": 1}, indent=None)
    '{"a": null, "b": 1}'
    """
    return json.dumps(clean(obj), ensure_ascii=False, indent=indent, allow_nan=False)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


URI_LIKE = re.compile(r"[;?!#]|^[A-Za-z][A-Za-z0-9+.-]*:")
"""Characters GDAL's Python bindings (pyogrio, fiona) read as parts of a URI, not of a file
name: a path holding one is handed to them through a link under a plain name."""


@contextlib.contextmanager
def gdal_folder(folder: Path) -> Iterator[Path]:
    """A path of ``folder`` the GDAL bindings open as it is named (a link in a temporary
    folder when the real path holds characters they parse as a URI).

    Parameters
    ----------
    folder : pathlib.Path
        A folder.

    Yields
    ------
    pathlib.Path
        The folder, or a link to it.
    """
    if not URI_LIKE.search(str(folder)):
        yield folder
        return
    tmp = Path(tempfile.mkdtemp(prefix="loc-path-"))
    try:
        link = tmp / "folder"
        os.symlink(folder.resolve(), link, target_is_directory=True)
        yield link
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


_LEFTOVER = re.compile(r"\.loc-(\d+)-[A-Za-z0-9_]+\.tmp")
"""Names of the temporary files and folders loc's writers stage their outputs in."""


def clean_leftovers(folder: str | Path) -> list[Path]:
    """Remove the temporary files and folders that loc's writers left in a folder when they
    died (a crash, a kill, a full disk).

    Only leftovers whose writer process is no longer running are removed, so a write in
    progress in another process is never disturbed.

    Parameters
    ----------
    folder : str or Path
        The folder outputs are written into.

    Returns
    -------
    list of pathlib.Path
        What was removed.
    """
    folder = Path(folder)
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for p in folder.iterdir():
        m = _LEFTOVER.fullmatch(p.name)
        if m is None or _alive(int(m.group(1))):
            continue
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                p.unlink()
        removed.append(p)
    return removed


def _fail(exc: BaseException, path: Path) -> OutputError:
    """The one-line error of a write to ``path`` that failed with ``exc``: the cause in
    plain words (a full disk, the file size limit, a file where a folder belongs), never
    the SQL or the record GDAL was writing."""
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return OutputError(f"cannot write: {_NO_SPACE}; nothing was written", path)
        if exc.errno == errno.EFBIG:
            return OutputError(f"cannot write: {_size_limit()}; nothing was written", path)
        if exc.errno == errno.ENOTDIR:  # the nearest part of the path that is there
            in_way = next((p for p in path.parents if os.path.lexists(p)), None)
            if in_way is not None and not in_way.is_dir():
                return OutputError(f"cannot write: {in_way} is a file, not a folder; "
                                   "nothing was written", path)
        return OutputError(f"cannot write: {exc.strerror or exc}; nothing was written", path)
    first = first_line(exc)
    low = first.lower()
    if "no space left" in low or "disk" in low and "full" in low \
            or _free_bytes(path) < FULL_BELOW:
        # GDAL's SQLite often names a consequence ("no such table: gpkg_contents")
        return OutputError(f"cannot write: {_NO_SPACE}; nothing was written", path)
    if _GDAL_WRITE.search(first) and _fsize_limit() is not None:
        return OutputError(f"cannot write: {_size_limit()} or the disk is full; nothing was "
                           "written", path)
    first = _GDAL_DETAIL.sub("", first)
    return OutputError(f"cannot write: {first}; nothing was written", path)


_NO_SPACE = "no space left on the disk"
"""Why a write failed on a full disk."""

_GDAL_WRITE = re.compile(r"sqlite|write|add feature|I/O", re.IGNORECASE)
"""What GDAL says when writing a record or a table failed (its SQLite names a consequence
of a short write, not the cause)."""

_GDAL_DETAIL = re.compile(r"sqlite3_exec\(.*?\) failed:\s*|(?<=Failed to write record):.*")
"""The SQL statement and the record GDAL adds to an error: no reason for a reader."""


def _fsize_limit() -> int | None:
    """This process's file size limit (``ulimit -f``), bytes; None when unlimited."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    soft = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    return None if soft == resource.RLIM_INFINITY else soft


def _size_limit() -> str:
    """Why a file could grow no more: the process's file size limit, or the file system's."""
    limit = _fsize_limit()
    if limit is None:
        return "the file is larger than the file system takes"
    return f"the file size limit was reached (ulimit -f: {limit / 1024:,.0f} KiB)"


FULL_BELOW = 1 << 20
"""A write that fails with less than this free (bytes) on the disk failed for want of
space, whatever the library said."""


def _free_bytes(path: Path) -> float:
    """Bytes free for this user on the disk of ``path`` (its nearest existing folder);
    infinite when that cannot be told."""
    for folder in [Path(path).parent, *Path(path).parent.parents]:
        try:
            st = os.statvfs(folder)
        except (OSError, AttributeError):
            continue
        return st.f_bavail * st.f_frsize
    return math.inf


def _make_parents(path: Path) -> list[Path]:
    """Make the missing folders above ``path``.

    Parameters
    ----------
    path : pathlib.Path
        A file or folder to be written.

    Returns
    -------
    list of pathlib.Path
        The folders made, deepest first (for :func:`_remove_empty` when the write fails).

    Raises
    ------
    NotADirectoryError
        When a file (not a folder) is where one of them belongs; nothing is made.
    OSError
        When a folder cannot be made; none is left made.
    """
    made = []
    for parent in path.parents:
        if parent.is_dir():
            break
        if os.path.lexists(parent):  # a file, or a link to nothing
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(parent))
        made.append(parent)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        _remove_empty(made)
        raise
    return made


def _remove_empty(folders: list[Path]) -> None:
    """Remove folders, deepest first, each only if it is empty (:func:`_make_parents` made
    them for a write that failed).

    Parameters
    ----------
    folders : list of pathlib.Path
        The folders, deepest first.
    """
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.rmdir()  # only if empty


@contextlib.contextmanager
def _staging(path: Path, folder: bool) -> Iterator[Path]:
    """A temporary file or folder beside ``path`` for a writer of this process (its name
    holds only safe characters and the process id), removed unless it has been renamed
    into place; the leftovers of dead writers in that folder are removed first. Folders
    made for it are removed again (if empty) when nothing was put in place."""
    made: list[Path] = []
    tmp: Path | None = None
    try:
        made = _make_parents(path)
        clean_leftovers(path.parent)
        prefix = f".loc-{os.getpid()}-"
        if folder:
            tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=prefix, suffix=".tmp"))
        else:
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".tmp")
            os.close(fd)
            tmp = Path(name)
        yield tmp
    finally:
        if tmp is not None and tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        elif tmp is not None and tmp.exists():
            with contextlib.suppress(OSError):
                tmp.unlink()
        if not os.path.lexists(path):
            _remove_empty(made)


def write_atomic(path: str | Path, data: bytes | str) -> Path:
    """Write a file all at once: to a temporary file beside it, then renamed over it.

    Parameters
    ----------
    path : str or Path
        The file.
    data : bytes or str
        Its content (text is written as UTF-8).

    Returns
    -------
    pathlib.Path
        The path.

    Raises
    ------
    OutputError
        One line (disk full, not writable); the old file, if any, is unchanged.

    Notes
    -----
    A symbolic link is followed (the file it points to is replaced, the link stays); a
    path that is not a regular file (``/dev/stdout``, a named pipe, ``/dev/full``) is
    written into, as a shell redirection does, never replaced by a file.
    """
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        target, special = _destination(path)
        if special:  # a device, a pipe or a terminal: written into, never replaced
            with open(target, "wb") as fh:
                fh.write(raw)
            return path
        with _staging(target, folder=False) as tmp:
            with open(tmp, "wb") as fh:
                fh.write(raw)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, target)
    except OSError as exc:
        raise _fail(exc, path) from None
    return path


def _destination(path: Path) -> tuple[Path, bool]:
    """Where a write to ``path`` goes: the file a symbolic link points to, and whether it
    is something other than a regular file or a folder (written into, not replaced)."""
    try:
        mode = os.stat(path).st_mode  # follows links
    except FileNotFoundError:
        return Path(os.path.realpath(path)), False  # a new file (or a dangling link's target)
    except OSError:  # a file where a folder belongs, a loop of links: writing says why
        return path, False
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return Path(os.path.realpath(path)), False
    return path, True


def write_private(path: str | Path, data: bytes | str) -> Path:
    """Write a file only its owner may read or write (mode 0600, whatever the umask), all at
    once, never over an existing file (a private key).

    Parameters
    ----------
    path : str or Path
        The file; it must not exist.
    data : bytes or str
        Its content (text is written as UTF-8).

    Returns
    -------
    pathlib.Path
        The path.

    Raises
    ------
    OutputError
        When the file exists (it is not touched), or one line (disk full, not writable).
    """
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if path.exists():
        raise OutputError("exists already: refusing to overwrite it", path)
    try:
        with _staging(path, folder=False) as tmp:
            os.chmod(tmp, 0o600)
            with open(tmp, "wb") as fh:
                fh.write(raw)
                fh.flush()
                os.fsync(fh.fileno())
            os.link(tmp, path)
    except FileExistsError:
        raise OutputError("exists already: refusing to overwrite it", path) from None
    except OSError as exc:
        raise _fail(exc, path) from None
    return path


def write_folder(path: str | Path, files: dict[str, bytes],
                 keep: Callable[[str], bool] | None = None) -> str:
    """Write a folder of files all at once: into a temporary folder beside it, then renamed
    into place. A folder that exists with these very files is left as it is; one that
    differs (a file edited, missing or added) is replaced all at once.

    Parameters
    ----------
    path : str or Path
        The folder.
    files : dict
        ``{file name: bytes}``.
    keep : callable, optional
        ``keep(name)`` is true for a file of an existing folder that is neither one of
        ``files`` nor a difference (a party's signature, say): it is carried over when the
        folder is replaced.

    Returns
    -------
    str
        ``"written"``, ``"unchanged"`` (it existed with these files), or ``"restored"`` (it
        existed with other contents and was replaced).

    Raises
    ------
    OutputError
        One line; nothing is left behind, and an existing folder stays as it was.
    """
    path = Path(path)
    for name in files:
        if Path(name).name != name or name.startswith("."):
            raise OutputError(f"refusing to write a file named {name!r}", path)
    if path.exists() and not path.is_dir():
        raise OutputError("exists and is not a folder", path)
    try:
        if path.exists():
            if _holds(path, files, keep):
                return "unchanged"
            carried = {p.name: p.read_bytes() for p in path.iterdir()
                       if p.is_file() and p.name not in files and keep and keep(p.name)}
            files = {**files, **carried}
        with _staging(path, folder=True) as tmp:
            for name, data in files.items():
                (tmp / name).write_bytes(data)
                os.chmod(tmp / name, 0o666 & ~_umask())
            os.chmod(tmp, 0o777 & ~_umask())
            if not path.exists():
                try:
                    os.rename(tmp, path)
                    return "written"
                except OSError:
                    if not path.exists():
                        raise
                if _holds(path, files, keep):  # another process wrote it meanwhile
                    return "unchanged"
            with _staging(path, folder=True) as old:
                os.rmdir(old)
                os.rename(path, old)
                try:
                    os.rename(tmp, path)
                except OSError:
                    os.rename(old, path)  # put it back as it was
                    raise
            return "restored"
    except OSError as exc:
        raise _fail(exc, path) from None


def _holds(path: Path, files: dict[str, bytes], keep: Callable[[str], bool] | None) -> bool:
    """Whether the folder holds exactly ``files`` (besides files ``keep`` accepts)."""
    if not path.is_dir():
        return False
    for p in path.iterdir():
        if p.name in files:
            if not p.is_file() or p.read_bytes() != files[p.name]:
                return False
        elif not (p.is_file() and keep is not None and keep(p.name)):
            return False
    return all((path / name).is_file() for name in files)


@contextlib.contextmanager
def locked(path: str | Path, timeout_s: float = 600.0) -> Iterator[None]:
    """Hold an exclusive lock on a shared file (a store) while writing it; other processes
    wait for it (up to ``timeout_s``).

    Parameters
    ----------
    path : str or Path
        The file; the lock is ``.NAME.lock`` beside it, removed when released.
    timeout_s : float
        How long to wait for another process, seconds.

    Yields
    ------
    None
        While the lock is held.

    Raises
    ------
    OutputError
        When the folder cannot be made or the lock cannot be taken in time.

    Notes
    -----
    The folders made for the file are removed again (if empty) when the write fails. The
    leftovers of dead writers beside it (:func:`clean_leftovers`) are removed once the lock
    is taken, whether or not anything is written then.
    """
    given = Path(path)  # as errors name it
    path = Path(os.path.realpath(path))  # one lock however the file is reached (a link)
    lock = path.parent / f".{path.name}.lock"
    try:
        made = _make_parents(path)
    except OSError as exc:
        raise _fail(exc, given) from None
    try:
        fh = _take_lock(lock, timeout_s, given)
    except BaseException:
        _remove_empty(made)
        raise
    written = False
    try:
        clean_leftovers(path.parent)  # what killed writers of it left, even if none follows
        yield
        written = True
    finally:
        # removed while still held, so a process waiting on this file finds it gone and
        # takes the next one; nothing is left beside the file
        with contextlib.suppress(OSError):
            os.unlink(lock)
        _unlock_file(fh)
        fh.close()
        if not written:
            _remove_empty(made)  # the folders made for a write that failed


def _take_lock(lock: Path, timeout_s: float, path: Path):
    """The open lock file ``lock``, locked by this process (see :func:`locked`)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            fh = open(lock, "a+b")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise _fail(exc, path) from None
        try:
            _wait_for_lock(fh, deadline, lock, timeout_s, path)
            if _same_file(fh, lock):
                break
        except BaseException:
            fh.close()
            raise
        fh.close()  # its holder removed the lock file meanwhile: take the one there now
    return fh


def _wait_for_lock(fh, deadline: float, lock: Path, timeout_s: float, path: Path) -> None:
    while True:
        try:
            _lock_file(fh)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise OutputError(f"another loc process holds {lock.name} for more than "
                                  f"{timeout_s:g} s; try again later", path) from None
            time.sleep(0.05)


def _same_file(fh, lock: Path) -> bool:
    """Whether the open lock file is still the one at its path."""
    try:
        a, b = os.fstat(fh.fileno()), os.stat(lock)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _lock_file(fh) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            raise BlockingIOError from None
        return
    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlock_file(fh) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        return
    fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def safe_cell(value):
    """A value for a CSV cell, with formula injection neutralised: text starting with ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'`` (OWASP), unless it is
    a plain number.

    Parameters
    ----------
    value : object
        A cell value.

    Returns
    -------
    object
        The value, or the neutralised text.

    Examples
    --------
    >>> safe_cell("=HYPERLINK(\\"x\\")")
    '\\'=HYPERLINK("x")'
    >>> safe_cell("-3.5")
    '-3.5'
    >>> safe_cell("-inf"), safe_cell("\\t1")
    ("'-inf", "'\\t1")
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    # a plain decimal number only: what float() also takes (" -1", "-inf", "\t1", "-1_0")
    # a spreadsheet may read otherwise
    return value if _PLAIN_NUMBER.fullmatch(value) else "'" + value


_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def csv_text(frame: pd.DataFrame, index: bool = False, precision: int = 6) -> str:
    """A table as CSV text: every text cell neutralised (:func:`safe_cell`), geometry (if
    any) as a ``wkt`` column in lon/lat rounded to ``precision`` decimals.

    Parameters
    ----------
    frame : pandas.DataFrame or geopandas.GeoDataFrame
        The rows.
    index : bool
        Write the index as the first column.
    precision : int
        Decimals of WKT coordinates.

    Returns
    -------
    str
        CSV with ``\\n`` line ends.
    """
    df = pd.DataFrame(frame)
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in df:
        geoms = frame.to_crs("OGC:CRS84").geometry.values if frame.crs else frame.geometry.values
        df = df.drop(columns=frame.geometry.name)
        df["wkt"] = shapely.to_wkt(np.asarray(geoms, dtype=object),
                                   rounding_precision=precision)
    df = df.map(safe_cell)
    if index:
        df.index = df.index.map(safe_cell)
    df.columns = [safe_cell(str(c)) for c in df.columns]
    return df.to_csv(index=index, lineterminator="\n")


def _rounded(geoms: np.ndarray, grid: float) -> np.ndarray:
    """Geometries with coordinates rounded to ``grid`` (degrees), valid as they were (a
    rounding that makes a polygon invalid is redone keeping it valid) and with RFC 7946's
    ring order: exteriors counter-clockwise, holes clockwise (loc's overlays give
    clockwise exteriors)."""
    out = shapely.set_precision(geoms, grid, mode="pointwise")
    broken = np.flatnonzero(~shapely.is_valid(out) & shapely.is_valid(geoms)
                            & ~shapely.is_missing(out))
    if len(broken):
        out[broken] = shapely.set_precision(geoms[broken], grid, mode="valid_output")
    return shapely.orient_polygons(out, exterior_cw=False)


def geojson_text(gdf: gpd.GeoDataFrame, precision: int = 6) -> str:
    """A GeoDataFrame as RFC 7946 GeoJSON text (lon/lat, coordinates rounded, valid
    geometries stay valid, exterior rings counter-clockwise).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The features (any CRS; written in lon/lat).
    precision : int
        Decimals of coordinates.

    Returns
    -------
    str
        One FeatureCollection, one line, newline-terminated.
    """
    gdf = gdf.to_crs("OGC:CRS84") if gdf.crs is not None else gdf
    geoms = _rounded(gdf.geometry.values, 10.0 ** -precision)
    features = []
    props = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    for rec, geom in zip(props.to_dict(orient="records"), geoms, strict=True):
        features.append({"type": "Feature", "properties": clean(rec),
                         "geometry": None if geom is None else shapely.geometry.mapping(geom)})
    return dumps({"type": "FeatureCollection", "features": features}, indent=None) + "\n"


_SUFFIX_FORMATS = {"geojson": ("geojson",), "json": ("json", "geojson"), "gpkg": ("gpkg",),
                  "csv": ("csv",)}
"""The formats a file of each suffix holds, the first preferred where a command writes it
(``-o x.json`` is a JSON document, or GeoJSON where there is none); ``--format`` must be
one of them. A ``.txt`` file is a table unless ``--format`` says otherwise."""


def infer_format(path: str | Path | None, fmt: str | None,
                 choices: tuple[str, ...] = FORMATS, default: str = "geojson") -> str:
    """The output format from an explicit ``--format`` or the file's suffix.

    Parameters
    ----------
    path : str or Path, optional
        The output file.
    fmt : str, optional
        The format asked for.
    choices : tuple of str
        Formats the command writes.
    default : str
        The format when neither tells.

    Returns
    -------
    str
        The format.

    Raises
    ------
    OptionError
        When the suffix says nothing and no format is given, the format is not a choice,
        or the suffix names another format than the one given.
    """
    suffix = Path(path).suffix.lower().lstrip(".") if path is not None else ""
    if fmt:
        if fmt not in choices:
            raise OptionError(f"unknown format '{fmt}': use " + ", ".join(choices))
        if suffix in _SUFFIX_FORMATS and fmt not in _SUFFIX_FORMATS[suffix]:
            raise OptionError(f"--format {fmt} does not fit -o {Path(str(path)).name}: give "
                              f"-o a .{'txt' if fmt == 'table' else fmt} file, or leave "
                              "--format out")
        return fmt
    if path is None:
        return default
    found = next((f for f in _SUFFIX_FORMATS.get(suffix, ("table",) if suffix == "txt" else ())
                  if f in choices), None)
    if found is None:
        raise OptionError(f"cannot tell the format from '{Path(path).name}': use --format "
                          + "|".join(choices))
    return found


def write_frame(gdf: gpd.GeoDataFrame, path: str | Path, fmt: str, layer: str = "loc",
                engine: str | None = None) -> Path:
    """Write a GeoDataFrame atomically as ``geojson``, ``gpkg`` or ``csv`` (geometry as WKT).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The features.
    path : str or Path
        The file.
    fmt : {"geojson", "gpkg", "csv"}
        The format.
    layer : str
        GeoPackage layer name.
    engine : {"pyogrio", "fiona"}, optional
        GDAL binding for GeoPackage (default :func:`loc.config.engine`).

    Returns
    -------
    pathlib.Path
        The path.
    """
    path = Path(path)
    if fmt == "geojson":
        return write_atomic(path, geojson_text(gdf))
    if fmt == "csv":
        return write_atomic(path, csv_text(gdf))
    if fmt == "gpkg":
        return write_gpkg(path, {layer: gdf}, engine=engine)
    raise OptionError(f"unknown format '{fmt}': use " + ", ".join(FORMATS))


GPKG_DATE = "2000-01-01T00:00:00.000Z"
"""The ``last_change`` every GeoPackage loc writes carries (GDAL writes the current time by
default, and the same inputs would not give the same bytes)."""


@contextlib.contextmanager
def _fixed_gdal_date() -> Iterator[None]:
    """GDAL's ``OGR_CURRENT_DATE`` set to :data:`GPKG_DATE` meanwhile (both bindings read
    GDAL configuration from the environment)."""
    before = os.environ.get("OGR_CURRENT_DATE")
    os.environ["OGR_CURRENT_DATE"] = GPKG_DATE
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("OGR_CURRENT_DATE", None)
        else:
            os.environ["OGR_CURRENT_DATE"] = before


_MULTI = {"Point": shapely.multipoints, "LineString": shapely.multilinestrings,
          "Polygon": shapely.multipolygons}


def _one_type(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A layer that mixes single and multi geometries of one kind (LineString and
    MultiLineString) with the singles made multi, as pyogrio does by itself and fiona does
    not: both engines then write the same geometry types."""
    kinds = set(gdf.geom_type.dropna())
    for single, make in _MULTI.items():
        if kinds == {single, f"Multi{single}"}:
            geoms = np.array([make([g]) if g is not None and g.geom_type == single else g
                              for g in gdf.geometry.values], dtype=object)
            return gdf.set_geometry(geoms, crs=gdf.crs)
    return gdf


def write_gpkg(path: str | Path, layers: dict[str, gpd.GeoDataFrame],
               engine: str | None = None, **options) -> Path:
    """Write GeoPackage layers all at once: into a temporary folder beside ``path``, then
    renamed over it. The same layers give the same bytes (the file's ``last_change`` is
    :data:`GPKG_DATE`).

    Parameters
    ----------
    path : str or Path
        The GeoPackage.
    layers : dict
        ``{layer name: GeoDataFrame}``.
    engine : {"pyogrio", "fiona"}, optional
        GDAL binding (default :func:`loc.config.engine`).
    **options
        Passed to :meth:`geopandas.GeoDataFrame.to_file` for every layer.

    Returns
    -------
    pathlib.Path
        The path.

    Raises
    ------
    OutputError
        One line (disk full, GDAL error); the old file, if any, is unchanged.
    """
    path = Path(path)
    name = config.engine(engine)
    try:
        target, special = _destination(path)
        if special:
            raise OutputError("a GeoPackage needs a regular file, not a device or a pipe",
                              path)
        with (_staging(target, folder=True) as tmp_dir, gdal_folder(tmp_dir) as gdal_dir,
              _fixed_gdal_date()):
            for layer, gdf in layers.items():
                _one_type(gdf).to_file(gdal_dir / "out.gpkg", layer=layer, driver="GPKG",
                                       engine=name, **options)
            os.replace(tmp_dir / "out.gpkg", target)
    except OutputError:
        raise
    except Exception as exc:  # GDAL and its bindings raise many kinds; all mean "not written"
        raise _fail(exc, path) from None
    return path
