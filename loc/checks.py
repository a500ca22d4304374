"""Checks of the values users pass, one rule each: numbers (finite, within a range), names
(a full match), choices, flags, frames. API and CLI call the same checks, so both refuse the
same things with the same message."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from numbers import Real

import numpy as np

from loc.errors import OptionError


def number(value, name: str, *, lo: float | None = None, hi: float | None = None,
           lo_open: bool = False) -> float:
    """A finite number within ``[lo, hi]`` (``(lo, hi]`` with ``lo_open``).

    Parameters
    ----------
    value : object
        The value given.
    name : str
        The parameter's name, for the message (e.g. ``"step_km"``).
    lo, hi : float, optional
        Bounds.
    lo_open : bool
        Exclude ``lo`` itself.

    Returns
    -------
    float
        The value.

    Raises
    ------
    TypeError
        When the value is not a number (text, None, a bool).
    OptionError
        When it is NaN, infinite or out of range.

    Examples
    --------
    >>> number(0.5, "step_km", lo=0, hi=50, lo_open=True)
    0.5
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number, not {type(value).__name__} {value!r:.40}")
    v = float(value)
    if not math.isfinite(v):
        raise OptionError(f"{name} must be a finite number, not {v}")
    below = lo is not None and (v <= lo if lo_open else v < lo)
    if below or (hi is not None and v > hi):
        low = "" if lo is None else (f"more than {lo:g}" if lo_open else f"at least {lo:g}")
        high = "" if hi is None else f"at most {hi:g}"
        raise OptionError(f"{name} must be {' and '.join(x for x in (low, high) if x)}, "
                          f"not {v:g}")
    return v


def choice(value, name: str, choices: Iterable[str]) -> str:
    """One of a fixed set of words.

    Parameters
    ----------
    value : object
        The value given.
    name : str
        The parameter's name.
    choices : iterable of str
        The accepted words.

    Returns
    -------
    str
        The value.

    Raises
    ------
    OptionError
        Naming the accepted words.
    """
    options = list(choices)
    if not isinstance(value, str) or value not in options:
        raise OptionError(f"{name} must be one of {', '.join(options)}, not {value!r:.40}")
    return value


def flag(value, name: str) -> bool:
    """A yes/no parameter: ``True`` or ``False`` (numpy's too), not a word or a number
    whose truth would be guessed ("no" is true).

    Parameters
    ----------
    value : object
        The value given.
    name : str
        The parameter's name.

    Returns
    -------
    bool
        The value.

    Raises
    ------
    TypeError
        For anything else.

    Examples
    --------
    >>> flag(True, "by_region")
    True
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be True or False, not {value!r:.40}")


def frame(value, name: str, columns: Iterable[str] = (), geometry: tuple[str, ...] = ()):
    """A GeoDataFrame of the kind a function needs: its columns and geometry types.

    Parameters
    ----------
    value : object
        The value given.
    name : str
        What it is, for the message.
    columns : iterable of str
        Columns it must have.
    geometry : tuple of str
        Geometry types it may hold (any when empty).

    Returns
    -------
    geopandas.GeoDataFrame
        The value.

    Raises
    ------
    TypeError
        Naming what is missing or of another kind.
    """
    import geopandas as gpd

    if not isinstance(value, gpd.GeoDataFrame):
        raise TypeError(f"{name} must be a GeoDataFrame, not {type(value).__name__}")
    missing = [c for c in columns if c not in value.columns]
    if missing:
        raise TypeError(f"{name} lacks the column(s) {', '.join(missing)}")
    if geometry:
        other = sorted(set(value.geom_type.dropna()) - set(geometry))
        if other:
            raise TypeError(f"{name} must hold {' or '.join(geometry)} geometries, not "
                            f"{', '.join(other)}")
    return value


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def name(value, what: str = "name") -> str:
    """A file-safe name: 1-64 letters, digits, ``.``, ``_`` or ``-``, starting with a letter
    or digit (the whole text must match: no newline, no path).

    Parameters
    ----------
    value : object
        The value given.
    what : str
        What it names, for the message.

    Returns
    -------
    str
        The name.

    Raises
    ------
    OptionError
        For anything else.

    Examples
    --------
    >>> name("donetsk-to-ru")
    'donetsk-to-ru'
    """
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise OptionError(f"{what} {str(value)[:40]!r} must be 1-64 letters, digits, '.', '_' "
                          "or '-' starting with a letter or digit")
    return value
