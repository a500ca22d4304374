"""Charts of control over time (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from loc.errors import OptionError  # noqa: E402
from loc.io.writers import write_atomic  # noqa: E402
from loc.outputs.palette import BLUE, SERIES, VERMILLION  # noqa: E402

REGION_COLOURS = SERIES


def _chart_format(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise OptionError(f"chart must be .png or .svg, not '{path.name}'")
    return fmt


def _save(fig, path: Path, fmt: str) -> Path:
    """Write a figure byte for byte the same each time (no dates or versions in it)."""
    import io

    buf = io.BytesIO()
    with plt.rc_context({"svg.hashsalt": "loc", "svg.fonttype": "none"}):
        fig.savefig(buf, format=fmt, dpi=110,
                    metadata={"Date": None} if fmt == "svg" else {"Software": None})
    plt.close(fig)
    return write_atomic(path, buf.getvalue())


def timeline_chart(df: pd.DataFrame, path: str | Path, title: str = "Occupied area") -> Path:
    """Write a PNG or SVG chart of a :func:`loc.timeline` frame.

    Top: occupied km² per region over time (missing days left as gaps). Bottom: daily newly
    occupied (up) and no longer occupied (down) km². Areas in the EQUAL_AREA CRS.

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`loc.timeline`.
    path : str or Path
        ``.png`` or ``.svg``.
    title : str
        The chart's title.

    Returns
    -------
    pathlib.Path
        The file, written atomically and byte for byte the same for the same frame.
    """
    path = Path(path)
    fmt = _chart_format(path)
    daily = df.copy()
    daily.index = pd.to_datetime(daily.index)
    full = daily.reindex(pd.date_range(daily.index.min(), daily.index.max(), freq="D"))
    regions = [c for c in df.columns if c.endswith("_km2")
               and c not in ("occupied_km2", "gained_km2", "lost_km2")
               and df[c].max() > 0]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 7), sharex=True,
                                      gridspec_kw={"height_ratios": [3, 2]})
    for i, col in enumerate(regions):
        top.plot(full.index, full[col], label=col.removesuffix("_km2"),
                 color=REGION_COLOURS[i % len(REGION_COLOURS)], linewidth=1.6)
    top.set_ylabel("occupied area (km²)")
    top.set_title(title)
    top.legend(loc="upper left", fontsize=8, ncol=3)
    top.grid(alpha=0.3)
    bottom.bar(full.index, full["gained_km2"].fillna(0), color=VERMILLION, width=1.0,
               label="newly occupied")
    bottom.bar(full.index, -full["lost_km2"].fillna(0), color=BLUE, width=1.0,
               label="no longer occupied")
    bottom.axhline(0, color="black", linewidth=0.6)
    bottom.set_ylabel("daily change (km²)")
    bottom.set_xlabel("date")
    bottom.legend(loc="upper left", fontsize=8)
    bottom.grid(alpha=0.3)
    fig.tight_layout()
    return _save(fig, path, fmt)


def movement_chart(series: pd.DataFrame, path: str | Path, top: int = 6) -> Path:
    """Write a PNG or SVG chart of :func:`loc.movement_series`: mean advance (km) per period
    for the ``top`` sectors that advanced most in total.

    Parameters
    ----------
    series : pandas.DataFrame
        From :func:`loc.movement_series`.
    path : str or Path
        ``.png`` or ``.svg``.
    top : int
        How many sectors to draw.

    Returns
    -------
    pathlib.Path
        The file.
    """
    path = Path(path)
    fmt = _chart_format(path)
    totals = series.groupby("sector")["mean_advance_km"].sum().sort_values(ascending=False)
    fig, ax = plt.subplots(figsize=(11, 5))
    for i, sector in enumerate(totals.index[:top]):
        s = series[series["sector"] == sector].sort_values("start")
        ax.plot(pd.to_datetime(s["start"]), s["mean_advance_km"], marker="o",
                label=str(sector), color=REGION_COLOURS[i % len(REGION_COLOURS)])
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_ylabel("mean advance of the front (km per period)")
    ax.set_xlabel("start of period")
    ax.set_title("Front movement by sector")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return _save(fig, path, fmt)
