"""Options and arguments shared by loc commands, declared once (as rasterio's ``rio``)."""

from __future__ import annotations

from pathlib import Path

import click

from loc.errors import OptionError

output_opt = click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Write to this file instead of stdout.")


def format_opt(choices: tuple[str, ...], default: str | None = None):
    """``--format`` with the given choices."""
    return click.option("--format", "fmt", type=click.Choice(choices), default=default,
                        show_default=default is not None,
                        help="Output format" + ("" if default else " (default: from -o suffix)")
                        + ".")


snapshot_arg = click.argument("file", required=False, type=click.Path(path_type=Path))
date_opt = click.option("--date", default=None, metavar="YYYY-MM-DD",
                        help="Date of the snapshot (default: from the file).")


def load_snapshot(file: Path | None, date: str | None = None):
    """A snapshot from FILE, or the bundled sample's latest (or ``date``) when FILE is None."""
    from loc.sample import sample
    from loc.snapshot import read

    if file is None:
        return sample(date)
    return read(file, date=date)


def parse_assignment(text: str, what: str) -> tuple[str, str]:
    """Split ``NAME=SIDE`` (side ``ru`` or ``ua``) from a CLI option."""
    name, sep, side = text.rpartition("=")
    if not sep or not name or side.strip().lower() not in ("ru", "ua"):
        raise OptionError(f"{what} '{text}' is not of the form NAME=ru or NAME=ua")
    return name.strip(), side.strip().lower()


def emit(text: str, output: Path | None) -> None:
    """Text to the ``-o`` file (atomically, with a note on stderr) or to stdout."""
    from loc.io import write_atomic

    if output:
        write_atomic(output, text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)
