"""Scripts and styles inlined into every map: Leaflet (from xstatic-leaflet), mgrs 2.2.0
(npm, MIT; ``static/mgrs-2.2.0.min.js``, see ``static/NOTICE.md``) and loc's own.

Leaflet's CSS points at images next to it; they are inlined as data URIs so that the page
makes no request at all. The source-map comment is dropped for the same reason. Styles
(Leaflet's and loc's) and loc's script are compacted (:func:`compact`).
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
        if match.group(1).startswith("images/layers"):
            return "none"  # loc draws its own layer control
        data = (base / match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(data).decode('ascii')})"

    return compact(re.sub(r"url\((images/[\w.-]+\.png)\)", inline, text))


VENDORED = {"mgrs": ("2.2.0", "MIT", "mgrs-2.2.0.min.js")}
"""Vendored scripts: name -> (version, licence, file in ``static/``)."""


@lru_cache(maxsize=1)
def vendored_js() -> str:
    """The vendored scripts, source-map comments dropped.

    Returns
    -------
    str
        Their code, in :data:`VENDORED` order.
    """
    return "\n".join(re.sub(r"//# sourceMappingURL=\S+\s*$", "",
                             (STATIC / f).read_text(encoding="utf-8"))
                      for _, _, f in VENDORED.values())


def vendored_attribution() -> str:
    """The vendored scripts with versions and licences, for the attribution.

    Returns
    -------
    str
        E.g. ``'mgrs 2.2.0 (MIT)'``.
    """
    return ", ".join(f"{n} {v} ({lic})" for n, (v, lic, _) in VENDORED.items())


def compact(code: str) -> str:
    r"""loc's own script or style without indentation, blank lines and whole-line comments
    (safe for code written, as loc's is, without multi-line strings).

    Parameters
    ----------
    code : str
        JavaScript or CSS.

    Returns
    -------
    str
        The same code, smaller.

    Examples
    --------
    >>> compact("  // note\n  var a = 1;\n\n  /* x */\n")
    'var a = 1;\n'
    """
    out = []
    for line in code.splitlines():
        text = line.strip()
        if not text or text.startswith("//") or (text.startswith("/*") and text.endswith("*/")):
            continue
        out.append(text)
    return "\n".join(out) + "\n"


_LABELS_AT = "  // @labels: static/loc_label.js, in pages with a labelled line (assets.loc_js)\n"
"""The line of ``loc_map.js`` where ``loc_label.js`` goes."""


@lru_cache(maxsize=2)
def loc_js(labels: bool = True) -> str:
    """loc's map runtime (``static/loc_map.js``), compacted.

    Parameters
    ----------
    labels : bool
        With the labels along lines (``static/loc_label.js``, about 4 KB), which only a page
        with a labelled line needs.

    Returns
    -------
    str
        The script.

    Examples
    --------
    >>> len(loc_js(False)) < len(loc_js(True))
    True
    """
    code = (STATIC / "loc_map.js").read_text(encoding="utf-8")
    if code.count(_LABELS_AT) != 1:
        raise AssertionError("loc_map.js has no single @labels line")
    part = (STATIC / "loc_label.js").read_text(encoding="utf-8") if labels else ""
    return compact(code.replace(_LABELS_AT, part))


@lru_cache(maxsize=1)
def loc_css() -> str:
    """loc's map styles (``static/loc_map.css``), compacted.

    Returns
    -------
    str
        The styles.
    """
    return compact((STATIC / "loc_map.css").read_text(encoding="utf-8"))


def leaflet_version() -> str:
    """The version of the Leaflet inlined into every map.

    Returns
    -------
    str
        E.g. ``1.9.3``.
    """
    return xleaflet.VERSION


def script_safe(text: str) -> str:
    """Make code safe inside a <script> or <style> element: no ``</script`` or ``</style``
    can end it early (inside JS strings ``<\\/`` reads as ``</``).

    Parameters
    ----------
    text : str
        JavaScript or CSS.

    Returns
    -------
    str
        The same code, safe to inline.

    Examples
    --------
    >>> script_safe('x = "</script>"')
    'x = "<\\\\/script>"'
    """
    return re.sub(r"</(script|style)", r"<\\/\1", text, flags=re.IGNORECASE)
