"""Scripts and styles inlined into every map: Leaflet (from xstatic-leaflet) and loc's own.

Leaflet's CSS points at images next to it; they are inlined as data URIs so that the page
makes no request at all. The source-map comment is dropped for the same reason.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from pathlib import Path

import xstatic.pkg.leaflet as xleaflet

STATIC = Path(__file__).resolve().parent / "static"


@lru_cache(maxsize=1)
def leaflet_js() -> str:
    text = (Path(xleaflet.BASE_DIR) / "leaflet.js").read_text(encoding="utf-8")
    return re.sub(r"//# sourceMappingURL=\S+\s*$", "", text)


@lru_cache(maxsize=1)
def leaflet_css() -> str:
    base = Path(xleaflet.BASE_DIR)
    text = (base / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match) -> str:
        data = (base / match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(data).decode('ascii')})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", inline, text)


@lru_cache(maxsize=1)
def loc_js() -> str:
    return (STATIC / "loc_map.js").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def loc_css() -> str:
    return (STATIC / "loc_map.css").read_text(encoding="utf-8")


def leaflet_version() -> str:
    return xleaflet.VERSION


def script_safe(text: str) -> str:
    """Make code safe inside a <script> or <style> element: no ``</script`` or ``</style``
    can end it early (inside JS strings ``<\\/`` reads as ``</``)."""
    return re.sub(r"</(script|style)", r"<\\/\1", text, flags=re.IGNORECASE)
