"""Where the bundled data lives (``data/`` in a checkout, ``loc.data`` when installed)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def data_path(name: str) -> Path:
    """Path of a bundled data file or folder.

    Parameters
    ----------
    name : str
        A path relative to ``data/``, e.g. ``"regions.geojson"``.

    Returns
    -------
    pathlib.Path
        Where it is: the checkout's ``data/`` folder, else the installed ``loc.data``.

    Examples
    --------
    >>> data_path("regions.geojson").name
    'regions.geojson'
    """
    checkout = Path(__file__).resolve().parents[2] / "data" / name
    if checkout.exists():
        return checkout
    return Path(str(resources.files("loc.data").joinpath(name)))
