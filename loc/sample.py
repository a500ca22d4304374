"""The bundled illustrative sample: coarse snapshots on three dates (APPROXIMATE).

Built by ``data/build_sample.py`` from ordered frontline settlements (GeoNames, CC BY 4.0). It
lets ``loc render`` and ``loc stats`` work offline on a fresh install; never use it for
analysis.
"""

from __future__ import annotations

from pathlib import Path

from loc._data import data_path


def sample_paths() -> list[Path]:
    """Paths of the bundled sample snapshots, oldest first."""
    return sorted(data_path("sample").glob("sample_*.geojson"))


def sample(date: str | None = None):
    """The bundled sample snapshot of a date (``YYYY-MM-DD``), by default the latest."""
    from loc.snapshot import read

    paths = sample_paths()
    if date is not None:
        paths = [p for p in paths if date in p.name] or paths[-1:]
    return read(paths[-1])
