"""Verification reports: ``loc verify`` from its arguments to a versioned report folder.

The folder ``<report-id>/`` holds ``report.html`` (the map with the freeze line, zones,
breaches and incidents, and a panel with the verdicts and sortable evidence tables),
``verification.json`` (the ``loc verify --format json`` document), ``summary.md``,
``breaches.geojson``,
``incidents.csv`` (the incidents cited as evidence) and ``manifest.json``. The manifest records the
command and its arguments, every input with its role and SHA-256, and every file's SHA-256,
so ``loc reproduce`` can run it again and compare the bytes.
"""

from __future__ import annotations

from pathlib import Path

from loc import __version__
from loc.analysis.verify import ConditionVerdict, Verification, day_ranges, verify_agreement
from loc.dates import parse_date
from loc.io.inputs import tidy_path
from loc.io.writers import csv_text, dumps, geojson_text
from loc.outputs.render import render
from loc.outputs.render.builder import render_page
from loc.outputs.render.layers import breach_layers, freeze_layers, incident_layer, zone_layers
from loc.outputs.reports import md_code, md_text, write_report
from loc.outputs.versions import file_record, input_record

COMMAND = "verify"
"""The command a verification manifest records."""
ARGUMENTS = ("agreement", "snapshots", "incidents", "as_of", "incidents_cover")
"""The arguments it records, all of them always."""
PANEL_ROWS = 500
"""Evidence rows per table shown in the page (all of them are in the JSON)."""
BREACH_COLUMNS = ("id", "advanced", "region", "km2", "depth_km", "settlement", "first_seen",
                  "last_seen", "standing")
INCIDENT_COLUMNS = ("line", "id", "date", "type", "weapon_class", "side", "distance_km",
                    "uncertain")


def verification_json(v: Verification) -> str:
    """The ``loc verify --format json`` document as text.

    Parameters
    ----------
    v : Verification
        The verification.

    Returns
    -------
    str
        Deterministic JSON, newline-terminated.
    """
    return dumps(v.to_dict()) + "\n"


def _columns(c: ConditionVerdict) -> tuple[str, ...]:
    return BREACH_COLUMNS if c.kind == "no_advance" else INCIDENT_COLUMNS


def verification_markdown(v: Verification, inputs: list[dict]) -> str:
    """A Markdown summary: each phase and condition with its status, the evidence (the first
    20 rows of each) and the inputs.

    Parameters
    ----------
    v : Verification
        The verification.
    inputs : list of dict
        Input records (``path``, ``sha256``, ``role``).

    Returns
    -------
    str
        The summary; every text from the inputs escaped (:func:`loc.outputs.reports.md_text`).
    """
    lines = [f"# Verification: {md_text(v.terms.name)}", "",
             f"In force {v.terms.in_force}, verified as of {v.as_of}. The frozen line is a "
             f"{v.freeze.label}.", ""]
    for note in v.notes:
        lines.append(f"> note: {md_text(note)}")
    if v.notes:
        lines.append("")
    for p in v.phases:
        span = f"{p.start}..{p.end}" if p.end else f"from {p.start}"
        lines += [f"## {md_text(p.name)} ({span}): **{p.status}**", "",
                  "| condition | status | detail | missing days |", "| --- | --- | --- | --- |"]
        for c in p.conditions:
            lines.append(f"| {md_text(c.text)} | {c.status} | {md_text(c.detail)} | "
                         f"{md_text(day_ranges(c.missing_days))} |")
        for c in p.conditions:
            if not c.evidence:
                continue
            cols = _columns(c)
            lines += ["", f"Evidence: {md_text(c.text)} ({len(c.evidence)} rows)", "",
                      "| " + " | ".join(cols) + " |", "|" + " --- |" * len(cols)]
            for rec in c.evidence[:20]:
                lines.append("| " + " | ".join(md_text(rec.get(k, "")) for k in cols) + " |")
            if len(c.evidence) > 20:
                lines.append(f"| ... {len(c.evidence) - 20} more in verification.json |"
                             + " |" * (len(cols) - 1))
        lines.append("")
    lines += ["## Inputs", ""]
    roles: dict[str, list[dict]] = {}
    for rec in inputs:
        roles.setdefault(str(rec.get("role", "")), []).append(rec)
    for role, recs in roles.items():
        if len(recs) > 3:
            lines.append(f"- {md_text(role)}: {len(recs)} files, {md_code(recs[0]['path'])} "
                         f"to {md_code(recs[-1]['path'])} (each with its sha256 in "
                         "manifest.json)")
            continue
        lines += [f"- {md_text(role)}: {md_code(r['path'])} sha256 {md_code(r['sha256'])}"
                  for r in recs]
    return "\n".join(lines) + "\n"


def _row(values: list, text: list[str], ref: str = "") -> dict:
    return {"values": values, "text": text, "ref": ref}


def _limited(rows: list[dict], what: str, summary: list[str]) -> list[dict]:
    if len(rows) > PANEL_ROWS:
        summary.append(f"{what}: the first {PANEL_ROWS} of {len(rows)} rows are shown; all of "
                       "them are in verification.json.")
    return rows[:PANEL_ROWS]


def verification_panel(v: Verification) -> dict:
    """The findings panel of the report page: the verdicts, then the evidence tables (a
    breach or incident row zooms the map to it).

    Parameters
    ----------
    v : Verification
        The verification.

    Returns
    -------
    dict
        The panel (see :func:`loc.outputs.render.builder.build_payload`): ``title``,
        ``summary`` lines and the tables ``conditions``, ``breaches`` and ``incidents``.
    """
    summary = [f"In force {v.terms.in_force}; verified as of {v.as_of}. The frozen line is a "
               f"{v.freeze.label}."]
    summary += [f"{p.name} ({p.start}..{p.end or ''}): {p.status}" for p in v.phases]
    summary += [f"Note: {n}" for n in v.notes]
    conditions = [_row([p.name, c.text, c.status, c.detail, day_ranges(c.missing_days)],
                       [p.name, c.text, c.status, c.detail, day_ranges(c.missing_days)])
                  for p in v.phases for c in p.conditions]
    breaches, incidents = [], []
    position = {} if v.incidents is None else {
        int(line): i for i, line in enumerate(v.incidents["source_line"])}
    for p in v.phases:
        for c in p.conditions:
            for e in c.evidence:
                if c.kind == "no_advance":
                    breaches.append(_row(
                        [p.name, e["id"], e["advanced"], e["region"], e["km2"], e["depth_km"],
                         e["settlement"], e["first_seen"], e["last_seen"], str(e["standing"])],
                        [p.name, e["id"], e["advanced"], e["region"], f"{e['km2']:,.2f}",
                         f"{e['depth_km']:,.2f}", str(e["settlement"]), e["first_seen"],
                         e["last_seen"], "standing" if e["standing"] else "ended"], e["id"]))
                else:
                    ref = f"incident-{position[e['line']] + 1}" if e["line"] in position else ""
                    incidents.append(_row(
                        [c.text, e["line"], e["id"], e["date"], e["type"], e["weapon_class"],
                         e["side"], e["distance_km"], str(e["uncertain"])],
                        [c.text, str(e["line"]), e["id"], e["date"], e["type"],
                         e["weapon_class"], e["side"], f"{e['distance_km']:+,.2f}",
                         "uncertain" if e["uncertain"] else "exact"], ref))
    tables = [
        {"name": "conditions", "title": "Verdicts", "empty": "No conditions.",
         "columns": [["phase", False], ["condition", False], ["status", False],
                     ["detail", False], ["missing days", False]], "rows": conditions},
        {"name": "breaches", "title": "Breaches (evidence of no_advance)",
         "empty": "No breach in any phase.",
         "columns": [["phase", False], ["id", False], ["advanced", False], ["region", False],
                     ["km²", True], ["depth km", True], ["settlement", False],
                     ["first seen", False], ["last seen", False], ["on the last day", False]],
         "rows": _limited(breaches, "Breaches", summary)},
        {"name": "incidents", "title": "Incidents (evidence)",
         "empty": "No incident in the evidence.",
         "columns": [["condition", False], ["line", True], ["id", False], ["date", False],
                     ["type", False], ["weapon class", False], ["side", False],
                     ["distance to the line km", True], ["location", False]],
         "rows": _limited(incidents, "Incidents", summary)}]
    return {"title": f"Verification: {v.terms.name}", "summary": summary, "tables": tables}


def input_records(v: Verification, arguments: dict) -> list[dict]:
    """The manifest's inputs: the agreement, the freeze, every snapshot read and the
    incident reports, each with its ``role`` and SHA-256.

    Parameters
    ----------
    v : Verification
        The verification.
    arguments : dict
        The command's arguments (:data:`ARGUMENTS`).

    Returns
    -------
    list of dict
        Records (:func:`loc.outputs.versions.input_record`, ``file_record``) with ``role``.
    """
    records = [{"role": "agreement", **file_record(arguments["agreement"])},
               {"role": "freeze", **input_record(v.freeze.snapshot)}]
    records += [{"role": "snapshot", **input_record(s)} for s in v.snapshots]
    if arguments.get("incidents"):
        records.append({"role": "incidents",
                        **file_record(arguments["incidents"], role="incidents")})
    return records


def save_verification(out_dir: str | Path, v: Verification,
                      arguments: dict) -> tuple[Path, bool]:
    """Write a verification report folder (see the module docstring).

    Parameters
    ----------
    out_dir : str or Path
        Folder of reports.
    v : Verification
        The verification.
    arguments : dict
        The arguments it was made with (:data:`ARGUMENTS`), recorded for ``loc reproduce``.

    Returns
    -------
    (pathlib.Path, bool)
        The folder, and whether this call wrote it (False: it existed with this id).
    """
    inputs = input_records(v, arguments)
    layers = zone_layers(v.zones) if len(v.zones) else []
    layers += freeze_layers(v.freeze) + breach_layers(v.breaches)
    if v.incidents is not None:
        layers.append(incident_layer(v.incidents))
    m = render(v.latest, layers=layers, title=f"Verification: {v.terms.name}",
               settlements=True, panel=verification_panel(v))
    files = {"report.html": render_page(m),
             "verification.json": verification_json(v).encode(),
             "summary.md": verification_markdown(v, inputs).encode(),
             "breaches.geojson": geojson_text(v.breaches).encode()}
    if v.incidents is not None:
        files["incidents.csv"] = csv_text(v.incidents).encode()
    manifest = {"kind": "verification", "loc_version": __version__, "command": COMMAND,
                "arguments": arguments, "agreement": v.terms.name,
                "as_of": v.as_of.isoformat(), "inputs": inputs}
    return write_report(out_dir, files, manifest)


def run_verify(arguments: dict, out_dir: str | Path | None = None, progress=None
               ) -> tuple[Verification, dict, Path | None, bool]:
    """Run ``loc verify`` from its arguments, and write the report when ``out_dir`` is given.

    Parameters
    ----------
    arguments : dict
        ``agreement`` (a file), ``snapshots`` (a folder, store or file), ``incidents`` (a
        file or None), ``as_of`` (``YYYY-MM-DD`` or None: the series' last date) and
        ``incidents_cover`` (``[first, last]`` or None).
    out_dir : str or Path, optional
        Folder of reports.
    progress : callable, optional
        As for :func:`loc.verify_agreement`.

    Returns
    -------
    (Verification, dict, pathlib.Path or None, bool)
        The verification; the arguments as recorded (``as_of`` the date used); the report
        folder and whether this call wrote it.
    """
    # read by their tidy paths, so that what the report says of them (a warning naming a
    # file) is the same however the paths were typed
    agreement, snapshots = tidy_path(arguments["agreement"]), tidy_path(arguments["snapshots"])
    incidents = tidy_path(arguments["incidents"]) if arguments.get("incidents") else None
    v = verify_agreement(agreement, snapshots, incidents, as_of=arguments.get("as_of"),
                         incidents_cover=arguments.get("incidents_cover"), progress=progress)
    cover = arguments.get("incidents_cover")
    recorded = {"agreement": agreement, "snapshots": snapshots, "incidents": incidents,
                "as_of": v.as_of.isoformat(),
                "incidents_cover": [parse_date(d).isoformat() for d in cover] if cover
                else None}
    if out_dir is None:
        return v, recorded, None, False
    folder, created = save_verification(out_dir, v, recorded)
    return v, recorded, folder, created
