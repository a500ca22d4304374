"""Map versions: immutable HTML plus a manifest, an index per map name, and verification.

``maps/<name>/<version>.html`` and ``maps/<name>/<version>.json``. The version id is the first
12 hex digits of the SHA-256 of the manifest's content (inputs with their sha256, options, loc
version, CRS, sources and licences, data dates) and of the HTML's SHA-256. The HTML is
deterministic, so the same inputs and options give the same bytes and the same id, and a map
that looks different always has another id. An existing version is never overwritten.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from loc._data import data_path
from loc.errors import InputError, OptionError
from loc.io import dumps, write_atomic
from loc.snapshot import file_sha256

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
BUNDLED = "loc:"


@dataclass
class MapVersion:
    """A saved map version."""

    name: str
    id: str
    html_path: Path
    manifest_path: Path
    manifest: dict
    created: bool


def check_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise OptionError(f"map name '{name}' must be 1-64 letters, digits, '.', '_' or '-' "
                          "starting with a letter or digit")
    return name


def input_record(snapshot) -> dict:
    """Manifest entry of one input snapshot: where it came from and its sha256."""
    path = snapshot.path
    if path:
        sample_dir = data_path("sample").resolve()
        p = Path(path).resolve()
        if p.parent == sample_dir:
            path = f"{BUNDLED}data/sample/{p.name}"
    return {"path": path, "sha256": snapshot.sha256,
            "date": snapshot.date.isoformat() if snapshot.date else None,
            "source": snapshot.source, "license": snapshot.license}


def version_id(core: dict) -> str:
    """12 hex digits of the SHA-256 of the canonical manifest content."""
    text = json.dumps(core, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def save(html_text: str, core: dict, name: str, out_dir: str | Path) -> MapVersion:
    """Write a version (unless it exists) and refresh the index; never overwrite a version."""
    name = check_name(name)
    data = html_text.encode("utf-8")
    html_sha = hashlib.sha256(data).hexdigest()
    vid = version_id({**core, "html_sha256": html_sha})
    folder = Path(out_dir) / name
    html_path, manifest_path = folder / f"{vid}.html", folder / f"{vid}.json"
    manifest = {"id": vid, "name": name, **core,
                "html": {"file": html_path.name, "sha256": html_sha, "bytes": len(data)}}
    created = not html_path.exists()
    if created:
        write_atomic(html_path, data)
        write_atomic(manifest_path, dumps(manifest) + "\n")
    else:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    write_index(folder)
    return MapVersion(name, vid, html_path, manifest_path, manifest, created)


def manifests(folder: Path) -> list[dict]:
    """The manifests of one map name, by data date then id."""
    out = []
    for p in sorted(folder.glob("*.json")):
        try:
            doc = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if isinstance(doc, dict) and doc.get("id") == p.stem:
            out.append(doc)
    return sorted(out, key=lambda d: (str(d.get("data_dates", [""])[-1:]), d["id"]))


def write_index(folder: Path) -> Path:
    """``index.html`` listing every version of a map name (escaped, no scripts)."""
    rows = []
    for doc in manifests(folder):
        dates = doc.get("data_dates") or []
        span = f"{dates[0]} to {dates[-1]}" if len(dates) > 1 else (dates[0] if dates else "")
        rows.append(
            f'<tr><td><a href="{html.escape(doc["id"])}.html">{html.escape(doc["id"])}</a></td>'
            f"<td>{html.escape(span)}</td><td>{html.escape(str(doc.get('title', '')))}</td>"
            f"<td>{html.escape(str(doc.get('loc_version', '')))}</td>"
            f'<td><a href="{html.escape(doc["id"])}.json">manifest</a></td></tr>')
    name = html.escape(folder.name)
    page = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>loc maps: "
            f"{name}</title><style>body{{font:14px sans-serif;margin:2em}}td,th{{padding:4px "
            "10px;text-align:left}}</style></head><body>\n"
            f"<h1>Map versions: {name}</h1>\n<table><tr><th>version</th><th>data date</th>"
            "<th>title</th><th>loc</th><th></th></tr>\n" + "\n".join(rows) +
            "\n</table></body></html>\n")
    return write_atomic(folder / "index.html", page)


def list_versions(out_dir: str | Path) -> list[dict]:
    """Every saved version under ``out_dir`` (one dict per version)."""
    root = Path(out_dir)
    out = []
    if not root.is_dir():
        return out
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for doc in manifests(folder):
            out.append({"name": folder.name, "id": doc["id"],
                        "dates": doc.get("data_dates", []), "title": doc.get("title", ""),
                        "bytes": doc.get("html", {}).get("bytes"),
                        "path": str(folder / doc["html"]["file"])})
    return out


def _resolve_input(path: str, manifest_path: Path) -> Path:
    if path.startswith(BUNDLED):
        return data_path(path[len(BUNDLED):].removeprefix("data/"))
    p = Path(path)
    if p.is_absolute() or p.exists():
        return p
    return manifest_path.parent / p


def verify(path: str | Path) -> list[tuple[str, bool, str]]:
    """Re-check a version: the HTML's sha256 and each input's sha256.

    Returns one ``(what, ok, detail)`` per check.
    """
    path = Path(path)
    manifest_path = path.with_suffix(".json") if path.suffix == ".html" else path
    if not manifest_path.exists():
        raise InputError("no such manifest (expected <version>.json beside the map)",
                         manifest_path)
    try:
        doc = json.loads(manifest_path.read_text(encoding="utf-8"))
        files = doc["inputs"]
        html_info = doc["html"]
    except (json.JSONDecodeError, KeyError, TypeError):
        raise InputError("not a loc map manifest", manifest_path) from None
    results = []
    html_path = manifest_path.parent / html_info["file"]
    if html_path.exists():
        digest = file_sha256(html_path)
        results.append((str(html_path), digest == html_info["sha256"],
                        "sha256 matches" if digest == html_info["sha256"]
                        else f"sha256 {digest[:12]}… differs from manifest"))
    else:
        results.append((str(html_path), False, "missing"))
    for rec in files:
        src = _resolve_input(str(rec.get("path")), manifest_path)
        if not src.exists():
            results.append((str(rec.get("path")), False, "input not found"))
            continue
        digest = file_sha256(src)
        ok = digest == rec.get("sha256")
        results.append((str(rec.get("path")), ok,
                        "sha256 matches" if ok else f"sha256 {digest[:12]}… differs"))
    return results
