"""Settings: the cache folder, the I/O engine, size limits and the ``LOC_*`` environment
variables, read in this one place.

=====================  =================================================  ==================
variable               meaning                                            default
=====================  =================================================  ==================
``LOC_CACHE_DIR``      cache folder (downloads, timeline results)         platformdirs'
                                                                          user cache folder
``LOC_ENGINE``         GDAL binding for reading and writing files         ``pyogrio``
``LOC_DEEPSTATE_URL``  DeepStateMap's base URL (for mirrors and tests)    deepstatemap.live
``LOC_MAX_VERTICES``   most vertices an input file may hold               1,000,000
``LOC_MAX_BYTES``      most bytes an input file or an archive may hold    128 MiB
                       (counted after decompression)
``LOC_MAX_DEPTH``      deepest JSON nesting accepted                      64
=====================  =================================================  ==================
"""

from __future__ import annotations

import os
from pathlib import Path

from loc.errors import OptionError

ENGINES = ("pyogrio", "fiona")
"""The GDAL bindings loc reads and writes files with (as geopandas' ``engine``)."""

DEEPSTATE_URL = "https://deepstatemap.live"
DEFAULT_LIMITS = {"vertices": 1_000_000, "bytes": 128 * 1024 * 1024, "depth": 64}


def cache_dir() -> Path:
    """The cache folder: ``$LOC_CACHE_DIR``, else the platform's user cache folder for loc
    (``~/.cache/loc`` on Linux, ``~/Library/Caches/loc`` on macOS, ``%LOCALAPPDATA%\\loc\\
    Cache`` on Windows).

    Returns
    -------
    pathlib.Path
        The folder (not created here).
    """
    if os.environ.get("LOC_CACHE_DIR"):
        return Path(os.environ["LOC_CACHE_DIR"])
    import platformdirs

    return Path(platformdirs.user_cache_dir("loc", appauthor=False))


def engine(value: str | None = None) -> str:
    """The I/O engine to use: ``value`` if given, else ``$LOC_ENGINE``, else ``pyogrio``.

    Parameters
    ----------
    value : {"pyogrio", "fiona"}, optional
        An explicit choice.

    Returns
    -------
    str
        ``pyogrio`` or ``fiona``.

    Raises
    ------
    OptionError
        For any other name.
    """
    name = value or os.environ.get("LOC_ENGINE") or "pyogrio"
    if name not in ENGINES:
        raise OptionError(f"unknown engine {name!r}: use pyogrio or fiona")
    return name


def engine_chosen(value: str | None = None) -> bool:
    """Whether a GDAL binding was asked for (``value``, or ``$LOC_ENGINE``): loc then reads
    every file with it, plain GeoJSON too.

    Parameters
    ----------
    value : str, optional
        An explicit choice.

    Returns
    -------
    bool
        True when one was asked for.
    """
    return bool(value or os.environ.get("LOC_ENGINE"))


def deepstate_url() -> str:
    """DeepStateMap's base URL: ``$LOC_DEEPSTATE_URL`` or the public site, no trailing /.

    Returns
    -------
    str
        The base URL.
    """
    return os.environ.get("LOC_DEEPSTATE_URL", DEEPSTATE_URL).rstrip("/")


def limit(name: str) -> int:
    """A size limit: ``vertices``, ``bytes`` or ``depth``, from ``$LOC_MAX_<NAME>`` or the
    default.

    Parameters
    ----------
    name : {"vertices", "bytes", "depth"}
        Which limit.

    Returns
    -------
    int
        The limit.

    Raises
    ------
    OptionError
        When the environment variable is not a positive whole number.
    """
    var = f"LOC_MAX_{name.upper()}"
    text = os.environ.get(var)
    if text is None or not text.strip():
        return DEFAULT_LIMITS[name]
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise OptionError(f"{var}={text!r} is not a whole number") from None
    if value < 1:
        raise OptionError(f"{var} must be 1 or more, not {value}")
    return value
