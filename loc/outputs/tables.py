"""Plain-text tables and JSON documents for people and pipes (used by the CLI)."""

from __future__ import annotations

import pandas as pd

from loc.analysis.stats import stats
from loc.model import Snapshot


def _clean_text(value) -> str:
    """Text for a terminal: control characters (escape sequences, newlines) shown as
    ``\\xNN`` escapes, so input files cannot redraw the screen."""
    text = str(value)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


def table(df: pd.DataFrame, formats: dict[str, str] | None = None) -> str:
    """A fixed-width text table of a DataFrame (index included), numbers right-aligned.

    Parameters
    ----------
    df : pandas.DataFrame
        The rows.
    formats : dict, optional
        ``{column: format spec}`` for numbers (``",.1f"``; a spec ending in ``d`` rounds).

    Returns
    -------
    str
        The table, newline-terminated; text cells have control characters escaped.
    """
    formats = formats or {}
    cols = [df.index.name or ""] + list(df.columns)
    rows = []
    for idx, rec in zip(df.index, df.to_dict(orient="records"), strict=True):
        cells = [_clean_text(idx)]
        for c in df.columns:
            v = rec[c]
            fmt = formats.get(c)
            if fmt and isinstance(v, (int, float)) and not pd.isna(v):
                cells.append(format(int(round(v)) if fmt.endswith("d") else v, fmt))
            else:
                cells.append("" if v is None or (isinstance(v, float) and pd.isna(v))
                             else _clean_text(v))
        rows.append(cells)
    widths = [max(len(_clean_text(c)), *(len(r[i]) for r in rows)) if rows
              else len(_clean_text(c))
              for i, c in enumerate(cols)]
    numeric = [False] + [pd.api.types.is_numeric_dtype(df[c]) for c in df.columns]

    def line(cells):
        return "  ".join(c.rjust(w) if n else c.ljust(w)
                         for c, w, n in zip(cells, widths, numeric, strict=True)).rstrip()

    out = [line([_clean_text(c) for c in cols]), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(out) + "\n"


def stats_json(snap: Snapshot) -> dict:
    """The ``loc stats --format json`` document.

    Parameters
    ----------
    snap : Snapshot
        The snapshot.

    Returns
    -------
    dict
        ``date``, ``source``, ``license``, ``occupied_km2`` and ``regions`` (per region key,
        ``outside`` included).
    """
    df = stats(snap)
    return {
        "date": snap.date.isoformat() if snap.date else None,
        "source": snap.source,
        "license": snap.license,
        "occupied_km2": round(snap.occupied_km2(), 3),
        "regions": {
            key: {str(k): (round(v, 3 if str(k).endswith("_km2") else 9)
                           if isinstance(v, float) else v) for k, v in rec.items()}
            for key, rec in df.to_dict(orient="index").items()
        },
    }


def stats_heading(snap: Snapshot) -> str:
    """The line above the ``loc stats`` table: date, source, occupied area and CRS.

    Parameters
    ----------
    snap : Snapshot
        The snapshot.

    Returns
    -------
    str
        One line.
    """
    return (f"{snap.label}  source: {_clean_text(snap.source)}  occupied: "
            f"{snap.occupied_km2():,.0f} km² (equal-area LAEA 48.5N 32E)")


def stats_table(snap: Snapshot) -> str:
    """The ``loc stats`` table for people: regions with anything occupied or contested.

    Parameters
    ----------
    snap : Snapshot
        The snapshot.

    Returns
    -------
    str
        The table.
    """
    df = stats(snap)
    shown = df[(df["occupied_km2"] > 0.5) | (df["contested_km2"] > 0.5)
               | (df["line_km"] > 0)].copy()
    shown["share"] = 100 * shown["share"]
    shown = shown.rename(columns={"share": "share_%"})
    cols = ["area_km2", "occupied_km2", "share_%", "line_km", "settlements_ru",
            "population_ru", "settlements_ua", "population_ua"]
    if (df["contested_km2"] > 0).any():
        cols.insert(3, "contested_km2")
    return table(shown[cols], {
        "area_km2": ",.0f", "occupied_km2": ",.0f", "share_%": ".1f", "line_km": ",.1f",
        "contested_km2": ",.0f",
        "population_ru": ",d", "population_ua": ",d"})
