"""Where the bundled data lives (``data/`` in a checkout, ``loc.data`` when installed)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def data_path(name: str) -> Path:
    """Path of a bundled data file, e.g. ``data_path("regions.geojson")``."""
    checkout = Path(__file__).resolve().parent.parent / "data" / name
    if checkout.exists():
        return checkout
    return Path(str(resources.files("loc.data").joinpath(name)))
