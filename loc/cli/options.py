"""Every option and argument of the ``loc`` commands, declared once (as rasterio's ``rio``
does) and reused, so each name means the same thing in every command; and the few helpers
every command uses to read inputs and write results.

Nothing heavy is imported at module level: ``loc --help`` loads only click and this module.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import click

FEATURE_FORMATS = ("geojson", "gpkg", "csv")


class Option(click.Option):
    """A click option whose old names still work for one release but are not shown in the
    help.

    Parameters
    ----------
    param_decls : sequence of str
        The option's names and destination, as for :class:`click.Option`.
    aliases : tuple of str
        Old names, accepted and hidden.
    **kwargs
        As for :class:`click.Option`.
    """

    def __init__(self, param_decls, aliases: tuple[str, ...] = (), **kwargs) -> None:
        super().__init__([*param_decls, *aliases], **kwargs)
        self.aliases = set(aliases)

    def get_help_record(self, ctx: click.Context):
        """The help line without the hidden old names."""
        shown, self.opts = self.opts, [o for o in self.opts if o not in self.aliases]
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts = shown


def _opt(*decls, **kwargs):
    return click.option(*decls, cls=Option, **kwargs)


# -- one snapshot or a series ------------------------------------------------------------

snapshot_arg = click.argument("snapshot", required=False, metavar="[SNAPSHOT]")
"""One snapshot: FILE or STORE.gpkg@YYYY-MM-DD (default: the bundled sample)."""


def snapshot_args(*names: str):
    """Required snapshot arguments (``A``, ``B``): FILE or STORE.gpkg@YYYY-MM-DD each.

    Parameters
    ----------
    *names : str
        The arguments' names, shown upper-case in the help.

    Returns
    -------
    callable
        The decorator.
    """
    def deco(f):
        for n in reversed(names):
            f = click.argument(n.lower(), metavar=n)(f)
        return f
    return deco


def series_arg(required: bool = True):
    """A series: files, folders of dated files, stores (every date) or STORE@DATE.

    Parameters
    ----------
    required : bool
        Whether at least one is needed.

    Returns
    -------
    callable
        The decorator.
    """
    return click.argument("inputs", nargs=-1, required=required, metavar="SERIES...")


date_opt = _opt("--date", default=None, metavar="YYYY-MM-DD",
                help="The snapshot of this date (from a folder, a store or the sample; a "
                     "file must be of this date or undated).")
since_opt = _opt("--since", default=None, metavar="YYYY-MM-DD",
                 help="First date of the series.")
until_opt = _opt("--until", default=None, metavar="YYYY-MM-DD",
                 help="Last date of the series.")
every_opt = _opt("--every", default=1, show_default=True, type=click.IntRange(min=1),
                 help="Keep every n-th snapshot of the series (the last is always kept).")


# -- outputs -----------------------------------------------------------------------------

def output_opt(folder: bool = False, default: str | None = None, aliases=(),
               what: str | None = None, private: bool = False):
    """``-o/--output``: the file (or, for commands writing several files, the folder) the
    result goes to; stdout when not given.

    Parameters
    ----------
    folder : bool
        The output is a folder.
    default : str, optional
        The default (for folders).
    aliases : tuple of str
        Old names of the option, hidden.
    what : str, optional
        The help text, where the command's output is not a result that can go to stdout.
    private : bool
        The output is a private key: required, and ``-`` (stdout) is refused.

    Returns
    -------
    callable
        The decorator.
    """
    what = what or ("Write into this folder." if folder else "Write the result to this file "
                    "instead of stdout (- is stdout).")
    if private:  # required: no default at all (click takes an explicit None for a value)
        return _opt("-o", "--output", "output", required=True, type=click.Path(path_type=Path),
                    metavar="FILE", help=what, callback=_a_key)
    return _opt("-o", "--output", "output", aliases=tuple(aliases), default=default,
                show_default=default is not None, type=click.Path(path_type=Path),
                metavar="DIR" if folder else "FILE", help=what,
                callback=_a_folder if folder else None)


def _not_stdout(param, value: Path | None, why: str) -> Path | None:
    from loc.errors import OptionError

    if value is not None and str(value) == "-":
        name = "/".join(o for o in param.opts if o not in getattr(param, "aliases", ()))
        raise OptionError(f"{name} {why}")
    return value


def _a_folder(ctx, param, value: Path | None) -> Path | None:
    """A folder option's value: ``-`` (stdout for a file) is refused, not made a folder."""
    return _not_stdout(param, value, "names a folder: several files cannot go to stdout")


def _a_key(ctx, param, value: Path | None) -> Path | None:
    """A private key's file: ``-`` is refused, neither stdout nor a file named ``-``."""
    return _not_stdout(param, value, "names the private key's file: a private key never "
                       "goes to stdout")


def format_opt(choices: tuple[str, ...], default: str | None = "table"):
    """``--format``: table (for people), json (one document), csv/geojson/gpkg (the
    result's records; features where they have a geometry, CSV with a wkt column).

    Parameters
    ----------
    choices : tuple of str
        The formats the command writes.
    default : str, optional
        The default (None: from ``-o``'s suffix, else the command's own).

    Returns
    -------
    callable
        The decorator.
    """
    records = [c for c in choices if c in FEATURE_FORMATS]
    parts = ["table: for people" if "table" in choices else "",
             "json: one document" if "json" in choices else "",
             f"{', '.join(records)}: the records" + (" (CSV geometry as WKT)" if len(records) > 1
                                                     else "") if records else ""]
    return _opt("--format", "fmt", type=click.Choice(choices), default=default,
                show_default=default is not None,
                help="; ".join(p for p in parts if p) + ("" if default else
                                                          "; default from -o's suffix") + ".")


chart_opt = _opt("--chart", type=click.Path(dir_okay=False, path_type=Path), default=None,
                 metavar="FILE", help="Also write a chart (.png or .svg).")


# -- analyses ----------------------------------------------------------------------------

width_opt = _opt("--width", "width", aliases=("--zones",), type=float, default=None,
                 metavar="KM", help="Demilitarized buffer KM deep on each side of the line.")
width_ru_opt = _opt("--width-ru", type=float, default=None, metavar="KM",
                    help="Buffer depth on the Russian-held side (with --width-ua).")
width_ua_opt = _opt("--width-ua", type=float, default=None, metavar="KM",
                    help="Buffer depth on the Ukrainian-held side (with --width-ru).")
belts_opt = _opt("--belts", default=None, metavar="PRESET|FILE",
                 help="Withdrawal belts: minsk2, minsk-memorandum, or a TOML/JSON agreement.")
assign_opt = _opt("--assign", multiple=True, metavar="REGION=SIDE",
                  help="Give a whole region (or a group: Donbas) to ru or ua; repeatable.")
exchange_opt = _opt("--exchange", multiple=True, metavar="FILE=SIDE",
                    help="Move the polygons of FILE to ru or ua, after and over --assign; "
                         "repeatable.")
step_opt = _opt("--step", default=1.0, show_default=True, type=float, metavar="KM",
                help="Sampling step along the line, km.")
sectors_opt = _opt("--sectors", default="region", show_default=True,
                   help="'region', or settlements as sector axes, comma-separated.")
period_opt = _opt("--period", type=click.Choice(["week", "month"]), default="month",
                  show_default=True, help="Compare the first snapshot of each period.")
noise_opt = _opt("--noise-km2", default=0.1, show_default=True, type=float, metavar="KM2",
                 help="A piece of line that only bounds a sliver of occupied land crossing the "
                      "state border or the coast, under KM2 on Ukraine's land, is border "
                      "noise: listed apart, no zone is drawn on it (0: never).")
break_opt = _opt("--break-km2", "break_km2", default=None, type=float, metavar="KM2",
                 help="A change of more than KM2 per day since the previous date, for up "
                      "to 7 days (KM2 × min(days_since_prev, 7): 1,000 from one day to the "
                      "next, 7,000 across a week's gap or any longer one, by default) is a "
                      "break: flagged, its gain and loss left empty and out of the totals.")
min_km2_opt = _opt("--min-km2", default=0.01, show_default=True, type=float,
                   help="Changes smaller than this (km²) are slivers, listed apart.")
clip_opt = _opt("--clip", type=click.Choice(["land", "ukraine", "none"]), default="land",
                show_default=True, help="Clip zones to Ukraine's land, or not.")
site_opt = _opt("--site", "sites", multiple=True, metavar="NAME:LAT,LON,KM",
                help="A protected site with a radius; repeatable.")
sites_opt = _opt("--sites", "sites_file", type=click.Path(path_type=Path), default=None,
                 metavar="FILE", help="Sites and corridors from a file: points with "
                                      "radius_km, lines with width_km, a name each.")
incidents_opt = _opt("--incidents", type=click.Path(path_type=Path), default=None,
                     metavar="FILE", help="Incidents: CSV with lat/lon (ACLED, VIINA, "
                                          "GeoConfirmed) or a file of points.")
party_opt = _opt("--party", required=True, metavar="NAME",
                 help="The party the key belongs to (letters, digits, '.', '_', '-').")
key_opt = _opt("--key", required=True, type=click.Path(dir_okay=False, path_type=Path),
               metavar="KEY", help="The party's private key (from loc keygen).")
snapshots_opt = _opt("--snapshots", required=True, metavar="DIR|STORE",
                     help="The monitored snapshots: a folder of dated files or a store "
                          "(STORE.gpkg).")
as_of_opt = _opt("--as-of", default=None, metavar="YYYY-MM-DD",
                 help="Verify as of this date (default: the last snapshot's date).")
incidents_cover_opt = _opt("--incidents-cover", default=None, metavar="FROM..TO",
                           help="The days the incident reports cover (default: their first "
                                "to last event date).")
trust_opt = _opt("--trust", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
                 metavar="KEY.pub", help="A party's public key (loc keygen writes KEY.pub): "
                                         "that party must have signed with it; repeatable.")
report_opt = _opt("--report", type=click.Path(file_okay=False, path_type=Path), default=None,
                  callback=_a_folder,
                  metavar="DIR", help="Also write a versioned report folder DIR/<id>/ (map "
                                      "and tables, JSON, Markdown, CSV, manifest).")


def _store_opt(required: bool):
    return _opt("--store", required=required, default=None, metavar="STORE.gpkg",
                type=click.Path(dir_okay=False, path_type=Path),
                help="The snapshot store (a GeoPackage).")


store_opt = _store_opt(required=True)
store_or_arg_opt = _store_opt(required=False)
"""``--store`` where the store may also be the command's argument (``loc list``)."""
no_cache_opt = _opt("--no-cache", is_flag=True, help="Neither read nor write the cache.")
offline_opt = _opt("--offline", is_flag=True, help="Use only the download cache.")


# -- maps --------------------------------------------------------------------------------

name_opt = _opt("--name", default=None,
                help="Map name (its folder under -o); default from the input file name.")
title_opt = _opt("--title", default=None, help="Title shown on the map.")
tiles_opt = _opt("--tiles", type=click.Choice(["none", "osm"]), default="none",
                 show_default=True,
                 help="osm adds online OpenStreetMap tiles (the map then uses the network).")


# -- helpers -----------------------------------------------------------------------------

def quiet() -> bool:
    """Whether ``-q`` was given.

    Returns
    -------
    bool
        True when messages are to be left out.
    """
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().meta.get("loc.quiet"))


def say(message: str) -> None:
    """A message for people, on stderr (nothing with ``-q``).

    Parameters
    ----------
    message : str
        One line.
    """
    if not quiet():
        click.echo(message, err=True)


def progress_bar(length: int, label: str):
    """A progress bar on stderr, shown only on a terminal and without ``-q`` (a pipe or a
    log gets no bar and no label).

    Parameters
    ----------
    length : int
        Steps.
    label : str
        What progresses.

    Returns
    -------
    click.progressbar
        A context manager; ``update(n)`` advances it.
    """
    import sys

    return click.progressbar(length=length, label=label, file=sys.stderr, show_pos=True,
                             hidden=quiet() or not sys.stderr.isatty())


def engine() -> str | None:
    """The ``--engine`` given to ``loc``.

    Returns
    -------
    str or None
        ``pyogrio``, ``fiona`` or None (the default).
    """
    ctx = click.get_current_context(silent=True)
    return ctx.find_root().meta.get("loc.engine") if ctx else None


def load_snapshot(ref: str | None, date: str | None = None, folder_hint: str | None = None):
    """One snapshot: FILE or STORE@DATE (``date`` selects, see ``--date``), or the bundled
    sample (its latest date, or ``date``) when ``ref`` is None.

    Parameters
    ----------
    ref : str, optional
        The argument given.
    date : str, optional
        ``--date``.
    folder_hint : str, optional
        What to give instead when ``ref`` is a folder and no date picks one of its
        snapshots; by default ``--date`` where the command has it, else one file or
        ``STORE.gpkg@DATE``.

    Returns
    -------
    loc.Snapshot
        The snapshot.

    Raises
    ------
    InputError
        For a folder without a date, saying what this command takes.
    """
    from loc.errors import InputError
    from loc.io.inputs import read
    from loc.io.readers import sample

    if ref is None:
        return sample(date)
    if date is None and Path(ref).is_dir():
        ctx = click.get_current_context(silent=True)
        has_date = ctx is not None and "date" in ctx.params
        default = ("give one snapshot file of it, or --date YYYY-MM-DD to pick one" if has_date
                   else "give one snapshot file of it, or STORE.gpkg@DATE")
        raise InputError(f"is a directory: {folder_hint or default}", ref)
    snap = read(ref, date=date, engine=engine())
    reading(ref, snap.path)  # the file picked from a folder by --date too
    return snap


def load_series(inputs, since=None, until=None, every: int = 1):
    """The dated members of a series (see :func:`loc.io.inputs.series`).

    Parameters
    ----------
    inputs : tuple of str
        Files, folders, stores or STORE@DATE.
    since, until : str, optional
        The range.
    every : int
        Thinning.

    Returns
    -------
    list
        ``(date, path or Snapshot)`` pairs.
    """
    from loc.io.inputs import series

    items = series(list(inputs), since=since, until=until, every=every, engine=engine())
    reading(*inputs, *(x for _, x in items if isinstance(x, Path)))
    return items


_INPUTS = "loc.inputs"
_OUTPUTS = (("output", "-o"), ("chart", "--chart"))


def reading(*paths) -> None:
    """Note the files this command reads (a ``STORE.gpkg@DATE``'s store; folders are given
    by their files), and refuse now an ``-o`` or ``--chart`` that names one of them, or
    both naming one file: writing it would replace an input (``loc zones x.geojson -o
    x.geojson`` turned the snapshot into its buffers).

    Parameters
    ----------
    *paths : str or Path or None
        Inputs as given (None and what is not a file are passed over).

    Raises
    ------
    OptionError
        When an output is an input, or two outputs are one file.
    """
    from loc.errors import OptionError
    from loc.io.store import split_reference

    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return
    seen: set[tuple[int, int]] = ctx.find_root().meta.setdefault(_INPUTS, set())
    for p in paths:
        if p is None:
            continue
        ref = split_reference(str(p))
        path = Path(ref[0]) if ref else Path(p)
        if path.is_file():
            seen.add(_identity(path))
    for name, flag in _OUTPUTS:
        given = ctx.params.get(name)
        if given is not None and str(given) != "-" and Path(given).is_file() \
                and _identity(Path(given)) in seen:  # links, hard or not
            raise OptionError(f"{flag} {given} is an input of this command: write the result "
                              "elsewhere")
    outputs_apart(*_OUTPUTS)


def outputs_apart(*outputs: tuple[str, str]) -> None:
    """Refuse two of a command's outputs (``(parameter, option)`` pairs) naming one file:
    the second write would replace the first (``-o`` and ``--chart``, ``-o`` and
    ``--store``).

    Parameters
    ----------
    *outputs : (str, str)
        The parameters' names and their options, as shown.

    Raises
    ------
    OptionError
        Naming both options.
    """
    from loc.errors import OptionError

    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return
    seen: dict[str, str] = {}
    for name, flag in outputs:
        given = ctx.params.get(name)
        if given is None or str(given) == "-":
            continue
        real = os.path.realpath(given)
        if real in seen:
            raise OptionError(f"{seen[real]} and {flag} name one file: give each its own")
        seen[real] = flag


def _identity(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_dev, st.st_ino


def parse_assignment(text: str, what: str) -> tuple[str, str]:
    """``NAME=SIDE`` (side ``ru`` or ``ua``) from an option.

    Parameters
    ----------
    text : str
        The option's value.
    what : str
        The option's name, for the message.

    Returns
    -------
    (str, str)
        Name and side.
    """
    from loc.errors import OptionError

    name, sep, side = text.rpartition("=")
    if not sep or not name.strip() or side.strip().lower() not in ("ru", "ua"):
        raise OptionError(f"{what} {text[:60]!r} is not of the form NAME=ru or NAME=ua")
    return name.strip(), side.strip().lower()


def parse_assignments(texts, what: str = "--assign") -> dict[str, str]:
    """Repeated ``NAME=SIDE`` options as ``{name: side}``; a name given twice with two
    sides is refused (a dict would keep the last one without a word).

    Parameters
    ----------
    texts : iterable of str
        The option's values.
    what : str
        The option's name, for the messages.

    Returns
    -------
    dict
        ``{name: side}``.
    """
    from loc.errors import OptionError

    out: dict[str, str] = {}
    for text in texts:
        name, side = parse_assignment(text, what)
        if out.get(name, side) != side:
            raise OptionError(f"{what}: {name[:60]!r} is given to {out[name]} and to {side}: "
                              "give each region one side")
        out[name] = side
    return out


def parse_party(text: str) -> tuple[str | None, str]:
    """``PARTY=FILE`` (a snapshot labelled by the party claiming it), or a plain snapshot.

    Parameters
    ----------
    text : str
        The argument.

    Returns
    -------
    (str or None, str)
        The party (None without a label) and the snapshot (FILE or STORE.gpkg@DATE).
    """
    from loc.checks import name as check_name

    party, sep, rest = text.partition("=")
    if not sep or Path(text).exists() or not rest:
        return None, text
    return check_name(party, "party"), rest


def parse_site(text: str) -> dict:
    """``NAME:LAT,LON,KM`` (a point with a radius) from ``--site``.

    Parameters
    ----------
    text : str
        The option's value.

    Returns
    -------
    dict
        ``name``, ``lat``, ``lon``, ``radius_km`` (checked by :func:`loc.protected_sites`).
    """
    from loc.errors import OptionError

    name, sep, rest = text.rpartition(":")
    try:
        lat, lon, km = (float(v) for v in rest.split(","))
    except ValueError:
        raise OptionError(f"--site {text[:60]!r} is not of the form NAME:LAT,LON,KM") from None
    if not sep or not name.strip():
        raise OptionError(f"--site {text[:60]!r} is not of the form NAME:LAT,LON,KM")
    return {"name": name.strip(), "lat": lat, "lon": lon, "radius_km": km}


def parse_span(text: str | None, what: str) -> tuple[str, str] | None:
    """``FROM..TO`` (two dates) from an option.

    Parameters
    ----------
    text : str, optional
        The option's value.
    what : str
        The option's name, for the message.

    Returns
    -------
    (str, str) or None
        The two dates as ``YYYY-MM-DD``.
    """
    from loc.dates import parse_date
    from loc.errors import OptionError

    if text is None:
        return None
    first, sep, last = text.partition("..")
    if not sep:
        raise OptionError(f"{what} {text[:40]!r} is not of the form YYYY-MM-DD..YYYY-MM-DD")
    a, b = parse_date(first), parse_date(last)
    if a > b:
        raise OptionError(f"{what} {text[:40]!r}: the first day is after the last")
    return a.isoformat(), b.isoformat()


def axes(sectors: str):
    """``--sectors``: ``region`` or a list of settlement names.

    Parameters
    ----------
    sectors : str
        The option's value.

    Returns
    -------
    str or list of str
        What :func:`loc.movement` takes.
    """
    if sectors == "region":
        return "region"
    from loc.errors import OptionError

    names = [s.strip() for s in sectors.split(",") if s.strip()]
    if not names:
        raise OptionError("--sectors needs 'region' or settlement names separated by commas "
                          "(e.g. Pokrovsk,Kupyansk)")
    return names


def output_format(output: Path | None, fmt: str | None, choices: tuple[str, ...],
                  default: str = "table") -> str:
    """The format of a result: ``--format``, else ``-o``'s suffix, else ``default``.

    Parameters
    ----------
    output : pathlib.Path, optional
        ``-o``.
    fmt : str, optional
        ``--format``.
    choices : tuple of str
        What the command writes.
    default : str
        Without either.

    Returns
    -------
    str
        The format.

    Raises
    ------
    OptionError
        When the format cannot be told, or ``--format`` and the suffix disagree.
    OutputError
        When a GeoPackage would replace a loc store (a store is added to by ``loc
        import``, never replaced by a command's result).
    """
    from loc.errors import OptionError, OutputError
    from loc.io.store import is_store
    from loc.io.writers import infer_format

    found = default if fmt is None and output is None else infer_format(output, fmt, choices,
                                                                        default)
    if found == "gpkg" and (output is None or str(output) == "-"):
        raise OptionError("a GeoPackage cannot go to stdout: give -o FILE.gpkg")
    if found == "gpkg" and output is not None and is_store(output):
        raise OutputError("is a loc store: refusing to replace it (write the result "
                          "elsewhere; loc import adds snapshots to a store)", output)
    return found


@contextlib.contextmanager
def kept_only_if_all_written(path: Path | None) -> Iterator[None]:
    """A file written before the command's other output (a chart before ``-o``): when what
    follows fails, it is put back as it was (removed, if it was not there), so that a
    failed command leaves nothing half-written.

    Parameters
    ----------
    path : pathlib.Path, optional
        The file (None: nothing to guard).

    Yields
    ------
    None
        While the outputs are written.
    """
    from loc.errors import LocError
    from loc.io.writers import write_atomic

    before = path.read_bytes() if path is not None and path.is_file() else None
    try:
        yield
    except BaseException:
        if path is not None:
            with contextlib.suppress(OSError, LocError):
                if before is None:
                    path.unlink(missing_ok=True)
                else:
                    write_atomic(path, before)
        raise


def emit(data: str | bytes, output: Path | None) -> None:
    """The result: to ``-o`` (atomically, with a note on stderr) or to stdout (no ``-o``, or
    ``-o -``).

    Parameters
    ----------
    data : str or bytes
        The result.
    output : pathlib.Path, optional
        ``-o``.
    """
    from loc.io.writers import write_atomic

    if output and str(output) != "-":
        write_atomic(output, data)
        say(f"wrote {output}")
        return
    try:
        if isinstance(data, bytes):
            click.get_binary_stream("stdout").write(data)
        else:
            click.echo(data, nl=False)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:  # a full disk behind a redirection, say
        from loc.errors import OutputError

        raise OutputError(f"cannot write to standard output: {exc.strerror or exc}") from None


def emit_checks(results) -> bool:
    """Checks as ``OK``/``FAIL`` lines on stdout (``loc maps verify``, ``loc reproduce``,
    ``loc signatures``).

    Parameters
    ----------
    results : list of (str, bool, str)
        What was checked, whether it passed, and the detail.

    Returns
    -------
    bool
        Whether every check passed.
    """
    emit("".join(f"{'OK  ' if ok else 'FAIL'}  {what}: {detail}\n"
                 for what, ok, detail in results), None)
    return all(ok for _, ok, _ in results)


def emit_frame(gdf, output: Path | None, fmt: str, layer: str) -> None:
    """Records (a GeoDataFrame) as csv, geojson or gpkg, to ``-o`` or stdout (GeoPackage
    needs ``-o``).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The records.
    output : pathlib.Path, optional
        ``-o``.
    fmt : {"csv", "geojson", "gpkg"}
        The format.
    layer : str
        GeoPackage layer name.
    """
    from loc.io.writers import csv_text, geojson_text, write_gpkg

    if fmt == "gpkg":
        assert output is not None  # output_format refuses a GeoPackage to stdout
        write_gpkg(output, {layer: gdf}, engine=engine())
        say(f"wrote {output}")
    elif fmt == "csv":
        emit(csv_text(gdf), output)
    else:
        emit(geojson_text(gdf), output)
