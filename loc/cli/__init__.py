"""The ``loc`` command line: a click group, one small module per command.

Data goes to stdout, messages to stderr. A :class:`loc.errors.LocError` becomes one line
``loc: error: ...`` on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys
import warnings

import click

from loc import __version__
from loc.errors import LocError


def _show_warning(message, category, filename, lineno, file=None, line=None):
    click.echo(f"loc: warning: {message}", err=True)


class LocGroup(click.Group):
    """A click group that turns LocError into one stderr line and exit code 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except LocError as exc:
            click.echo(f"loc: error: {exc}", err=True)
            ctx.exit(2)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


@click.group(cls=LocGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="loc")
def cli() -> None:
    """loc: lines of control for ceasefire annexes and monitoring.

    Read control areas (GeoJSON, GeoPackage, Shapefile, KML/KMZ, FlatGeobuf), compute the line
    of contact, freeze lines and zones, diff dates and render versioned offline maps.
    With no FILE, commands use the bundled illustrative sample (approximate).
    """
    warnings.showwarning = _show_warning


def _register() -> None:
    from loc.cli import (
        check_cmd,
        diff_cmd,
        freeze_cmd,
        line_cmd,
        maps_cmd,
        movement_cmd,
        regions_cmd,
        render_cmd,
        sources_cmd,
        stats_cmd,
        timeline_cmd,
        zones_cmd,
    )

    for module in (render_cmd, maps_cmd, stats_cmd, line_cmd, freeze_cmd, zones_cmd,
                   diff_cmd, movement_cmd, timeline_cmd, check_cmd, regions_cmd):
        cli.add_command(module.command)
    for command in (sources_cmd.fetch, sources_cmd.import_cmd, sources_cmd.list_cmd,
                    sources_cmd.cache, sources_cmd.compare_cmd):
        cli.add_command(command)


_register()


def main() -> None:
    """Console-script entry point."""
    sys.exit(cli.main(prog_name="loc"))
