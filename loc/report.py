"""Plain-text tables and JSON documents for people and pipes (used by the CLI)."""

from __future__ import annotations

import pandas as pd


def table(df: pd.DataFrame, formats: dict[str, str] | None = None) -> str:
    """A fixed-width text table of a DataFrame (index included), numbers right-aligned."""
    formats = formats or {}
    cols = [df.index.name or ""] + list(df.columns)
    rows = []
    for idx, rec in zip(df.index, df.to_dict(orient="records"), strict=True):
        cells = [str(idx)]
        for c in df.columns:
            v = rec[c]
            fmt = formats.get(c)
            if fmt and isinstance(v, (int, float)) and not pd.isna(v):
                cells.append(format(int(round(v)) if fmt.endswith("d") else v, fmt))
            else:
                cells.append("" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
        rows.append(cells)
    widths = [max(len(str(c)), *(len(r[i]) for r in rows)) if rows else len(str(c))
              for i, c in enumerate(cols)]
    numeric = [False] + [pd.api.types.is_numeric_dtype(df[c]) for c in df.columns]

    def line(cells):
        return "  ".join(c.rjust(w) if n else c.ljust(w)
                         for c, w, n in zip(cells, widths, numeric, strict=True)).rstrip()

    out = [line([str(c) for c in cols]), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(out) + "\n"


def stats_json(snap) -> dict:
    """The ``loc stats --format json`` document."""
    df = snap.stats()
    return {
        "date": snap.date.isoformat() if snap.date else None,
        "source": snap.source,
        "license": snap.license,
        "occupied_km2": round(snap.occupied_km2(), 3),
        "regions": {
            key: {k: (round(v, 3 if k.endswith("_km2") else 9) if isinstance(v, float) else v)
                  for k, v in rec.items()}
            for key, rec in df.to_dict(orient="index").items()
        },
    }


def stats_table(snap) -> str:
    """The ``loc stats`` table for people: regions with anything occupied or contested."""
    df = snap.stats()
    shown = df[(df["occupied_km2"] > 0.5) | (df["contested_km2"] > 0.5)
               | (df["line_km"] > 0)].copy()
    shown["share"] = 100 * shown["share"]
    shown = shown.rename(columns={"share": "share_%"})
    cols = ["area_km2", "occupied_km2", "share_%", "line_km", "settlements_ru",
            "population_ru", "settlements_ua", "population_ua"]
    if (df["contested_km2"] > 0).any():
        cols.insert(3, "contested_km2")
    head = (f"{snap.label}  source: {snap.source}  occupied: {snap.occupied_km2():,.0f} km² "
            "(equal-area LAEA 48.5N 32E)\n")
    return head + table(shown[cols], {
        "area_km2": ",.0f", "occupied_km2": ",.0f", "share_%": ".1f", "line_km": ",.1f",
        "contested_km2": ",.0f",
        "population_ru": ",d", "population_ua": ",d"})
