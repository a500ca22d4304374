"""Dates: parsing, dates in file names, and finding a date among others.

One rule each: :func:`parse_date` for every date a user gives, :func:`date_from_name` for
dates in file names, :func:`find_date` for "the snapshot of this date" (exact, or an error
naming the nearest dates) and :func:`latest_on_or_before` for "the last version published on
or before this date" (a source's versions, not snapshots).
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import warnings
from collections.abc import Sequence
from pathlib import Path

from loc.errors import DateError, LocWarning

FIRST_YEAR, LAST_YEAR = 1991, 2100
"""Plausible years of a control map of Ukraine; dates outside are refused."""

_FORMS = ((re.compile(r"\d{4}-\d{2}-\d{2}"), "%Y-%m-%d"), (re.compile(r"\d{8}"), "%Y%m%d"),
          (re.compile(r"\d{1,2} [A-Za-z]+ \d{4}"), "%d %B %Y"),
          (re.compile(r"\d{1,2} [A-Za-z]+ \d{4}"), "%d %b %Y"))
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
                       r"(Z|[+-]\d{2}:?\d{2})?")
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")


def _plausible(day: dt.date, text: str, path: str | None) -> dt.date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise DateError(f"date '{text}' is outside {FIRST_YEAR}..{LAST_YEAR}: a typo?", path)
    return day


def parse_date(value: str | dt.date | dt.datetime, path: str | None = None) -> dt.date:
    """Parse ``YYYY-MM-DD``, ``YYYYMMDD``, ``16 May 2025`` (ACLED's exports), an ISO
    datetime, or a date object.

    Parameters
    ----------
    value : str, datetime.date or datetime.datetime
        The date.
    path : str, optional
        The file the date belongs to, for the error message.

    Returns
    -------
    datetime.date
        The date.

    Raises
    ------
    DateError
        With the value and the accepted forms, for text that is not a date (``2025-02-30``)
        or a year outside 1991..2100.

    Examples
    --------
    >>> parse_date("20250905")
    datetime.date(2025, 9, 5)
    >>> parse_date("2025-09-05T12:00:00Z")
    datetime.date(2025, 9, 5)
    >>> parse_date("16 May 2025")
    datetime.date(2025, 5, 16)
    """
    if isinstance(value, dt.datetime):
        return _plausible(value.date(), value.isoformat(), path)
    if isinstance(value, dt.date):
        return _plausible(value, value.isoformat(), path)
    if not isinstance(value, str):
        raise DateError(f"a date must be text or a date, not {type(value).__name__}", path)
    text = " ".join(value.split())
    # each form must match whole (strptime alone takes "202511" for 2025-01-01)
    for form, fmt in _FORMS:
        if form.fullmatch(text):
            try:
                return _plausible(dt.datetime.strptime(text, fmt).date(), text, path)
            except ValueError:
                pass
    if _ISO_TIME.fullmatch(text):
        try:
            return _plausible(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date(),
                              text, path)
        except ValueError:
            pass
    raise DateError(f"cannot parse date '{text[:40]}': use YYYY-MM-DD (e.g. 2025-09-05)", path)


def date_from_name(name: str | Path) -> dt.date | None:
    """The last valid ``YYYYMMDD`` or ``YYYY-MM-DD`` in a file name, or None.

    A run of digits that looks like a date but is not one (``20251399``, ``2025-02-30``, or a
    year outside 1991..2100) is not taken; when the name holds no valid date, a
    :class:`LocWarning` says so.

    Parameters
    ----------
    name : str or Path
        A file name or path (only the last component is read).

    Returns
    -------
    datetime.date or None
        The date, if the name has one.

    Examples
    --------
    >>> date_from_name("deepstatemap_data_20250905.geojson")
    datetime.date(2025, 9, 5)
    >>> date_from_name("map.geojson") is None
    True
    """
    base = Path(name).name
    bad = []
    for m in reversed(list(_DATE_IN_NAME.finditer(base))):
        try:
            day = dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            bad.append(m[0])
            continue
        if FIRST_YEAR <= day.year <= LAST_YEAR:
            return day
        bad.append(m[0])
    if bad:
        warnings.warn(f"{base}: '{bad[0]}' in the name is not a plausible date; the file "
                      "counts as undated", LocWarning, stacklevel=2)
    return None


def latest_on_or_before(dates: Sequence[dt.date], when: dt.date) -> int | None:
    """Index of the latest of sorted ``dates`` on or before ``when``, or None.

    Parameters
    ----------
    dates : sequence of datetime.date
        Sorted ascending.
    when : datetime.date
        The date.

    Returns
    -------
    int or None
        The index, or None when every date is later.

    Examples
    --------
    >>> import datetime as dt
    >>> d = [dt.date(2025, 1, 1), dt.date(2025, 1, 3)]
    >>> latest_on_or_before(d, dt.date(2025, 1, 2))
    0
    """
    i = bisect.bisect_right(list(dates), when)
    return i - 1 if i else None


def find_date(dates: Sequence[dt.date], when: dt.date, where: str | None = None) -> int:
    """Index of ``when`` in sorted ``dates``; an error naming the nearest dates otherwise.

    Parameters
    ----------
    dates : sequence of datetime.date
        Sorted ascending.
    when : datetime.date
        The date asked for.
    where : str, optional
        What holds the dates (a store, a folder), for the message.

    Returns
    -------
    int
        The index of ``when``.

    Raises
    ------
    DateError
        When ``when`` is not among ``dates``: the message names the nearest earlier and
        later dates.
    """
    dates = list(dates)
    i = bisect.bisect_left(dates, when)
    if i < len(dates) and dates[i] == when:
        return i
    near = [d.isoformat() for d in (dates[i - 1] if i else None,
                                    dates[i] if i < len(dates) else None) if d is not None]
    hint = ("nearest: " + " and ".join(near)) if near else "it holds no dates"
    span = f" ({len(dates)} dates, {dates[0]}..{dates[-1]})" if dates else ""
    raise DateError(f"no snapshot on {when.isoformat()}{span}; {hint}", where)
