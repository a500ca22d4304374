"""The bundled illustrative sample: coarse snapshots on three dates (APPROXIMATE).

Built by ``data/build_sample.py`` from ordered frontline settlements (GeoNames, CC BY 4.0). It
lets ``loc render`` and ``loc stats`` work offline on a fresh install; never use it for
analysis. Read it with :func:`loc.sample`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from loc.dates import date_from_name, find_date
from loc.reference.bundled import data_path

SOURCE = "loc illustrative sample"
"""The ``source`` of the sample's snapshots."""


def sample_paths() -> list[Path]:
    """Paths of the bundled sample snapshots, oldest first.

    Returns
    -------
    list of pathlib.Path
        The three sample files.

    Examples
    --------
    >>> [p.name for p in sample_paths()][-1]
    'sample_2025-09-05.geojson'
    """
    return sorted(data_path("sample").glob("sample_*.geojson"))


def sample_path(date: dt.date | None = None) -> Path:
    """The sample file of a date (by default the latest).

    Parameters
    ----------
    date : datetime.date, optional
        One of the sample's dates.

    Returns
    -------
    pathlib.Path
        The file.

    Raises
    ------
    DateError
        When the sample has no snapshot of that date (the nearest dates are named).
    """
    paths = sample_paths()
    if date is None:
        return paths[-1]
    dates = [d for d in (date_from_name(p.name) for p in paths) if d is not None]
    return paths[find_date(dates, date, "the bundled sample")]
