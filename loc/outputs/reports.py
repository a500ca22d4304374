"""Reports: a versioned folder with the map, tables, a Markdown summary and a manifest, byte
for byte the same for the same inputs: compliance checks (``loc check``) and disputes
(``loc compare --report``); verification reports are in :mod:`loc.outputs.verification`."""

from __future__ import annotations

import hashlib
import re
import warnings
from pathlib import Path

import geopandas as gpd

from loc import __version__
from loc.analysis.compare import Comparison
from loc.analysis.compliance import Report
from loc.analysis.freeze import Freeze
from loc.analysis.line import contact_only, line_of_contact
from loc.errors import LocWarning, one_line
from loc.io.writers import csv_text, dumps, geojson_text, write_folder
from loc.model import Snapshot
from loc.outputs.palette import PURPLE
from loc.outputs.render import render
from loc.outputs.render.builder import render_page
from loc.outputs.render.layers import (
    breach_layers,
    change_layers,
    freeze_layers,
    incident_layer,
    line_layer,
    zone_layers,
)
from loc.outputs.versions import signature_file, version_id

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~&])")
"""ASCII punctuation that makes Markdown inline syntax (emphasis, code, links and images,
which need brackets, tables, strike-through, entities) where it stands: escaped with a
backslash."""


def md_text(text) -> str:
    r"""Text made safe for Markdown, on one line: read as written, never as an image,
    emphasis, a table cell's end or HTML, nor as a link written with brackets (a bare URL
    may still be shown as a link by renderers that link them, as GitHub's does).

    Parameters
    ----------
    text : object
        Any value.

    Returns
    -------
    str
        The escaped text (for use outside code spans; see :func:`md_code`).

    Examples
    --------
    >>> md_text("a|b<c>")
    'a\\|b&lt;c&gt;'
    >>> md_text("![t](https://evil.example/t.png)")
    '!\\[t\\](https://evil.example/t.png)'
    """
    one = one_line(text)  # control characters shown as \uXXXX, not sent to a terminal
    return _MD_SPECIAL.sub(r"\\\1", one).replace("<", "&lt;").replace(">", "&gt;")


def md_code(text) -> str:
    """Text as one Markdown code span, on one line: fenced by more backticks than any run
    of them in the text (a code span knows no escapes: a backtick inside closed it).

    Parameters
    ----------
    text : object
        Any value.

    Returns
    -------
    str
        The code span.

    Examples
    --------
    >>> md_code("a.csv"), md_code("x` ![t](y)")
    ('`a.csv`', '`` x` ![t](y) ``')
    """
    one = one_line(text)  # control characters shown as \uXXXX, not sent to a terminal
    if not one:
        return "` `"
    fence = "`" * (max((len(run) for run in re.findall(r"`+", one)), default=0) + 1)
    pad = " " if one.startswith("`") or one.endswith("`") or len(fence) > 1 else ""
    return f"{fence}{pad}{one}{pad}{fence}"


def undated_sentence(undated: gpd.GeoDataFrame | None) -> str:
    """What a compliance check says of incident rows on no readable day: they are not
    judged, but how many there are and how many lie where they would be violations is said.

    Parameters
    ----------
    undated : geopandas.GeoDataFrame, optional
        Those rows, classified (:func:`loc.analysis.compliance.classify`).

    Returns
    -------
    str
        The sentence, or ``""`` when there are none.

    Examples
    --------
    >>> import geopandas as gpd
    >>> undated_sentence(gpd.GeoDataFrame({"violation": [True, False]}))
    '2 row(s) without a readable date not judged (1 where they would be violations)'
    """
    if undated is None or not len(undated):
        return ""
    return (f"{len(undated)} row(s) without a readable date not judged "
            f"({int(undated['violation'].sum())} where they would be violations)")


def markdown_summary(report: Report, incidents: gpd.GeoDataFrame | None, freeze: Freeze,
                     inputs: list[dict], undated: gpd.GeoDataFrame | None = None) -> str:
    """A short Markdown summary of a compliance check.

    Parameters
    ----------
    report : Report
        The breaches.
    incidents : geopandas.GeoDataFrame, optional
        Classified incidents.
    freeze : Freeze
        The freeze checked.
    inputs : list of dict
        Input records (``path``, ``sha256``).
    undated : geopandas.GeoDataFrame, optional
        Incident rows on no readable day, classified: counted, not judged, and listed in
        ``incidents_undated.csv``.

    Returns
    -------
    str
        The summary.
    """
    lines = [f"# Compliance check: freeze of {report.date_frozen}, checked on "
             f"{report.date_checked}", "",
             f"The frozen line is a {freeze.label}.", "",
             "## Breaches", ""]
    b = report.breaches
    if b.empty:
        lines.append("No area changed hands beyond the tolerance.")
    else:
        for side, g in b.groupby("advanced"):
            lines.append(f"- side {md_code(side)} advanced in {len(g)} place(s), "
                         f"{g['km2'].sum():,.2f} km² in total")
        lines += ["", "| id | advanced | region | km² | depth km | settlement |",
                  "| --- | --- | --- | ---: | ---: | --- |"]
        for r in b.head(20).itertuples():
            lines.append(f"| {r.id} | {r.advanced} | {r.region} | {r.km2:,.2f} | "
                         f"{r.depth_km:,.2f} | {md_text(r.settlement)} |")
        if len(b) > 20:
            lines.append(f"| ... | {len(b) - 20} more in breaches.csv | | | | |")
    t = report.within_tolerance
    lines += ["", f"Within tolerance (not breaches): {len(t)} change(s), "
              f"{t['km2'].sum():,.4f} km².", ""]
    if incidents is not None:
        v = incidents[incidents["violation"]]
        lines += ["## Incidents", "",
                  f"{len(incidents)} incident(s) classified; {len(v)} violate the agreement "
                  f"({int(v['uncertain'].sum())} of them with an uncertain location).", ""]
        if undated_sentence(undated):
            lines += [undated_sentence(undated) + ": they are listed in "
                      "incidents_undated.csv.", ""]
    lines += ["## Inputs", ""]
    lines += [f"- {md_code(i['path'])} sha256 {md_code(i['sha256'])}" for i in inputs]
    return "\n".join(lines) + "\n"


def findings_panel(report: Report, incidents: gpd.GeoDataFrame | None,
                   freeze: Freeze, undated: gpd.GeoDataFrame | None = None) -> dict:
    """The side panel of ``report.html``: the summary and sortable tables of the breaches and
    incidents, each row referring to its feature on the map (clicking it zooms there).

    Parameters
    ----------
    report : Report
        The breaches.
    incidents : geopandas.GeoDataFrame, optional
        Classified incidents.
    freeze : Freeze
        The freeze checked.
    undated : geopandas.GeoDataFrame, optional
        Incident rows on no readable day, classified (counted in the summary).

    Returns
    -------
    dict
        ``title``, ``summary`` (lines) and ``tables`` (``name``, ``title``, ``columns`` as
        ``[label, numeric]``, ``rows`` with ``values``, ``text`` and ``ref``, ``empty``).
    """
    b = report.breaches
    summary = [f"The frozen line of {report.date_frozen} is a {freeze.label}.",
               f"Checked on {report.date_checked}: {len(b)} breach(es), "
               f"{b['km2'].sum():,.2f} km² in total."]
    for side, g in b.groupby("advanced"):
        summary.append(f"Side {side} advanced in {len(g)} place(s), {g['km2'].sum():,.2f} km².")
    t = report.within_tolerance
    summary.append(f"Within tolerance (not breaches): {len(t)} change(s), "
                   f"{t['km2'].sum():,.4f} km².")
    rows = [{"values": [r.id, r.advanced, r.region, float(r.km2), float(r.depth_km),
                        str(r.settlement)],
             "text": [r.id, r.advanced, r.region, f"{r.km2:,.2f}", f"{r.depth_km:,.2f}",
                      str(r.settlement)], "ref": r.id}
            for r in b.itertuples()]
    tables = [{"name": "breaches", "title": "Breaches (largest first)", "rows": rows,
               "columns": [["id", False], ["advanced", False], ["region", False],
                           ["km²", True], ["depth km", True], ["settlement", False]],
               "empty": "No area changed hands beyond the tolerance."}]
    if incidents is not None:
        v = incidents[incidents["violation"]]
        summary.append(f"{len(incidents)} incident(s) classified; {len(v)} violate the "
                       f"agreement ({int(v['uncertain'].sum())} with an uncertain location).")
        if undated_sentence(undated):
            summary.append(undated_sentence(undated) + ".")
        irows: list[dict] = []
        for i, r in enumerate(incidents.itertuples()):
            rule = str(r.rule or "no violation")
            irows.append({"values": [i + 1, rule, str(r.side), float(r.distance_km),
                                     "uncertain" if r.uncertain else "exact"],
                          "text": [str(i + 1), rule, str(r.side), f"{r.distance_km:+,.2f}",
                                   "uncertain" if r.uncertain else "exact"],
                          "ref": f"incident-{i + 1}"})
        irows.sort(key=lambda r: (r["values"][1] == "no violation", r["values"][0]))
        tables.append({"name": "incidents", "title": "Incidents (violations first)",
                       "rows": irows, "empty": "No incidents.",
                       "columns": [["#", True], ["rule broken", False], ["side", False],
                                   ["distance to the line km", True], ["location", False]]})
    return {"title": f"Compliance check: freeze of {report.date_frozen}, checked on "
                     f"{report.date_checked}", "summary": summary, "tables": tables}


def save_report(out_dir: str | Path, freeze: Freeze, later: Snapshot, report: Report,
                incidents: gpd.GeoDataFrame | None, zones: gpd.GeoDataFrame | None,
                inputs: list[dict], options: dict,
                undated: gpd.GeoDataFrame | None = None) -> tuple[Path, bool]:
    """Write a versioned compliance report: ``out_dir/<report-id>/`` with ``report.html``,
    ``breaches.geojson``/``.csv``, ``within_tolerance.csv``, ``incidents.geojson``/``.csv``,
    ``incidents_undated.csv`` (when any row has no readable date), ``summary.md`` and
    ``manifest.json`` (inputs and every file with its sha256).

    The id is :func:`loc.outputs.versions.version_id` of the manifest, so the same inputs
    and options give the same folder and bytes; an existing report is left as it is if
    intact and restored (with a warning) if not, and the folder appears whole or not at
    all.

    Parameters
    ----------
    out_dir : str or Path
        Folder of reports.
    freeze : Freeze
        The freeze checked.
    later : Snapshot
        The snapshot checked.
    report : Report
        The breaches.
    incidents : geopandas.GeoDataFrame, optional
        Classified incidents.
    zones : geopandas.GeoDataFrame, optional
        The zones incidents were checked against.
    inputs : list of dict
        Input records (:func:`loc.outputs.versions.input_record`, ``file_record``).
    options : dict
        The options that shaped the report.
    undated : geopandas.GeoDataFrame, optional
        Incident rows on no readable day, classified: not judged, counted and listed.

    Returns
    -------
    (pathlib.Path, bool)
        The folder, and whether this call wrote it.
    """
    layers = freeze_layers(freeze) + breach_layers(report.breaches)
    if zones is not None and len(zones):
        layers = zone_layers(zones) + layers
    if incidents is not None:
        layers.append(incident_layer(incidents))
    m = render(later, layers=layers, title=f"Compliance check: freeze of {report.date_frozen}",
               settlements=True, panel=findings_panel(report, incidents, freeze, undated))
    files = {
        "report.html": render_page(m),
        "breaches.geojson": geojson_text(report.breaches).encode(),
        "breaches.csv": csv_text(report.breaches).encode(),
        "within_tolerance.csv": csv_text(report.within_tolerance).encode(),
        "summary.md": markdown_summary(report, incidents, freeze, inputs, undated).encode(),
    }
    if incidents is not None:
        files["incidents.geojson"] = geojson_text(incidents).encode()
        files["incidents.csv"] = csv_text(incidents).encode()
    if undated is not None and len(undated):
        files["incidents_undated.csv"] = csv_text(undated).encode()
    manifest = {"kind": "report", "loc_version": __version__,
                "date_frozen": report.date_frozen, "date_checked": report.date_checked,
                "inputs": inputs, "options": options}
    return write_report(out_dir, files, manifest)


def write_report(out_dir: str | Path, files: dict[str, bytes],
                 manifest: dict) -> tuple[Path, bool]:
    """Write a versioned report folder: ``out_dir/<report-id>/`` with ``files`` and
    ``manifest.json`` (``manifest`` with every file's SHA-256 added as ``files``; the id is
    :func:`loc.outputs.versions.version_id` of that), all at once. An existing report
    with these very files (and parties' signatures) is left as it is; one that differs (a
    file edited, missing or added) is restored all at once, its signatures kept, with a
    :class:`~loc.errors.LocWarning`.

    Parameters
    ----------
    out_dir : str or Path
        Folder of reports.
    files : dict
        ``{file name: bytes}``.
    manifest : dict
        What the report is made of: ``kind``, ``loc_version``, ``inputs`` (records with
        ``path`` and ``sha256``) and anything else that shaped it.

    Returns
    -------
    (pathlib.Path, bool)
        The folder, and whether this call wrote it (or restored it).
    """
    manifest = {**manifest,
                "files": {n: hashlib.sha256(d).hexdigest() for n, d in sorted(files.items())}}
    rid = version_id(manifest)
    manifest = {"id": rid, **manifest}
    folder = Path(out_dir) / rid
    state = write_folder(folder, {**files, "manifest.json": (dumps(manifest) + "\n").encode()},
                         keep=signature_file)
    if state == "restored":
        warnings.warn(f"{folder}: report {rid} on disk differed from what its id stands for "
                      "(a file edited, missing or added); restored", LocWarning, stacklevel=2)
    return folder, state != "unchanged"


def dispute_json(c: Comparison) -> dict:
    """The ``loc compare --format json`` document.

    Parameters
    ----------
    c : Comparison
        The comparison.

    Returns
    -------
    dict
        ``a``, ``b``, ``regions`` (km² per region) and ``disputes`` (ranked, see
        :meth:`loc.Comparison.disputes`, without geometry).
    """
    d = c.disputes()
    return {"a": c.a, "b": c.b, "regions": c.summary.round(4).to_dict(orient="index"),
            "disputes": [{k: (round(v, 4) if k == "km2" else v) for k, v in rec.items()}
                         for rec in d.drop(columns="geometry").to_dict(orient="records")]}


def dispute_markdown(c: Comparison, inputs: list[dict], top: int = 20) -> str:
    """A Markdown summary of a dispute: totals, the disputed areas ranked by people, inputs.

    Parameters
    ----------
    c : Comparison
        The comparison.
    inputs : list of dict
        Input records (``path``, ``sha256``).
    top : int
        How many disputed areas to list.

    Returns
    -------
    str
        The summary.
    """
    d = c.disputes()
    lines = [f"# Disputed areas: {md_text(c.a)} and {md_text(c.b)}", ""]
    for side in ("a", "b"):
        part = d[d["ru_in"] == side]
        who = c.a if side == "a" else c.b
        lines.append(f"- Russian-held in the claim of {md_text(who)} only: {len(part)} "
                     f"area(s), {part['km2'].sum():,.2f} km², {int(part['population'].sum()):,}"
                     " people")
    lines += ["", "| rank | Russian-held per | region | km² | people | settlements | largest |",
              "| ---: | --- | --- | ---: | ---: | ---: | --- |"]
    for r in d.head(top).itertuples():
        lines.append(f"| {r.rank} | {md_text(r.claimed_ru_by)} | {md_text(r.region)} | "
                     f"{r.km2:,.2f} | {r.population:,} | {r.settlements} | "
                     f"{md_text(r.largest)} |")
    if len(d) > top:
        lines.append(f"| ... | {len(d) - top} more in disputes.csv | | | | | |")
    lines += ["", "## Inputs", ""]
    lines += [f"- {md_code(i['path'])} ({md_text(i.get('party', ''))}) sha256 "
              f"{md_code(i['sha256'])}" for i in inputs]
    return "\n".join(lines) + "\n"


def dispute_panel(c: Comparison) -> dict:
    """The findings panel of a dispute report: totals and the ranked disputed areas (a row
    zooms the map to its area).

    Parameters
    ----------
    c : Comparison
        The comparison.

    Returns
    -------
    dict
        The panel (see :func:`loc.outputs.render.builder.build_payload`).
    """
    d = c.disputes()
    summary = []
    for side, who in (("a", c.a), ("b", c.b)):
        part = d[d["ru_in"] == side]
        summary.append(f"Russian-held in the claim of {who} only: {len(part)} area(s), "
                       f"{part['km2'].sum():,.2f} km², {int(part['population'].sum()):,} people.")
    rows = [{"values": [int(r.rank), r.claimed_ru_by, r.region, float(r.km2),
                        int(r.population), int(r.settlements), r.largest],
             "text": [str(r.rank), str(r.claimed_ru_by), str(r.region), f"{r.km2:,.2f}",
                      f"{r.population:,}", str(r.settlements), str(r.largest)],
             "ref": str(r.rank)} for r in d.itertuples()]
    return {"title": f"Disputed areas: {c.a} and {c.b}", "summary": summary, "tables": [
        {"name": "disputes", "title": "Disputed areas (most people first)", "rows": rows,
         "empty": "The claims agree.",
         "columns": [["rank", True], ["Russian-held per", False], ["region", False],
                     ["km²", True], ["people", True], ["settlements", True],
                     ["largest", False]]}]}


def save_dispute(out_dir: str | Path, c: Comparison, a: Snapshot, b: Snapshot,
                 inputs: list[dict], options: dict) -> tuple[Path, bool]:
    """Write a versioned dispute report: ``out_dir/<report-id>/`` with ``report.html`` (the
    first claim's areas and line, the second claim's line, the disputed areas, and a panel
    with the ranked table), ``disputes.csv`` and ``.geojson``, ``comparison.json``, ``summary.md``
    and ``manifest.json``.

    Parameters
    ----------
    out_dir : str or Path
        Folder of reports.
    c : Comparison
        The comparison of ``a`` and ``b``.
    a, b : Snapshot
        The two claims.
    inputs : list of dict
        Input records, with the ``party`` of each.
    options : dict
        The options that shaped it.

    Returns
    -------
    (pathlib.Path, bool)
        The folder, and whether this call wrote it.
    """
    d = c.disputes()
    shown = d.assign(to_side=["ru" if s == "b" else "ua" for s in d["ru_in"]])
    layers = change_layers(shown, titles=(f"Russian-held per {c.b} only",
                                          f"Russian-held per {c.a} only"), ref="rank")
    layers.append(line_layer(contact_only(line_of_contact(b)), layer_id="claim-b",
                             title=f"Line claimed by {c.b}",
                             style={"color": PURPLE, "weight": 2.5, "dashArray": "6 4"}))
    m = render(a, layers=layers, title=f"Disputed areas: {c.a} and {c.b}", settlements=True,
               panel=dispute_panel(c))
    files = {"report.html": render_page(m),
             "disputes.csv": csv_text(d).encode(),
             "disputes.geojson": geojson_text(d).encode(),
             "comparison.json": (dumps(dispute_json(c)) + "\n").encode(),
             "summary.md": dispute_markdown(c, inputs).encode()}
    manifest = {"kind": "dispute", "loc_version": __version__, "a": c.a, "b": c.b,
                "inputs": inputs, "options": options}
    return write_report(out_dir, files, manifest)
