"""Sets of snapshots: files and directories, selected by date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from loc.errors import DateError, InputError
from loc.snapshot import date_from_name, parse_date

GEODATA_SUFFIXES = (".geojson", ".json", ".gpkg", ".kml", ".kmz", ".fgb", ".shp", ".zip")


def snapshot_files(paths) -> list[Path]:
    """Expand files and directories into snapshot files, sorted by the date in their name
    (then by name). A directory contributes every geodata file directly inside it."""
    out: list[Path] = []
    for p in map(Path, paths):
        if not p.exists():
            raise InputError("no such file or directory", p)
        if p.is_dir():
            found = [f for f in p.iterdir() if f.is_file()
                     and f.suffix.lower() in GEODATA_SUFFIXES]
            if not found:
                raise InputError("directory holds no geodata files ("
                                 + ", ".join(GEODATA_SUFFIXES) + ")", p)
            out.extend(found)
        else:
            out.append(p)
    return sorted(dict.fromkeys(out), key=lambda f: (date_from_name(f.name) or dt.date.min,
                                                     f.name))


def select(files: list[Path], *, date: str | None = None, since: str | None = None,
           until: str | None = None, every: int = 1) -> list[Path]:
    """Files by date (from their names): one ``date`` (the latest on or before it), or a
    ``since``..``until`` range thinned to ``every`` n-th file."""
    dated = [(date_from_name(f.name), f) for f in files]
    if date is not None:
        when = parse_date(date)
        earlier = [(d, f) for d, f in dated if d is not None and d <= when]
        if not earlier:
            raise DateError(f"no snapshot on or before {when.isoformat()} among "
                            f"{len(files)} file(s)")
        return [earlier[-1][1]]
    lo = parse_date(since) if since else None
    hi = parse_date(until) if until else None
    kept = [f for d, f in dated if (lo is None or (d and d >= lo)) and
            (hi is None or (d and d <= hi))]
    if every < 1:
        raise DateError("--every must be 1 or more")
    if not kept:
        raise DateError("no snapshot in the date range")
    picked = kept[::every]
    if picked[-1] != kept[-1]:
        picked.append(kept[-1])
    return picked
