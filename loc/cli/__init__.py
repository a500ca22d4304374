"""The ``loc`` command line: a click group, one small module per command, loaded only when
that command runs (``loc --help`` imports none of them).

Data goes to stdout (or ``-o``), messages to stderr. A :class:`loc.errors.LocError` becomes
one line ``loc: error: ...`` on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import importlib
import re
import sys
import traceback
import warnings

import click

from loc import __version__

COMMANDS = {
    # name: (module, attribute, short help)
    "render": ("render_cmd", "command", "Render snapshots into a versioned offline HTML map."),
    "maps": ("maps_cmd", "command", "Saved map versions: list them, verify one."),
    "stats": ("stats_cmd", "command", "Areas, shares, settlements and population per region."),
    "line": ("line_cmd", "command", "The line of contact of a snapshot."),
    "freeze": ("freeze_cmd", "command", "Freeze a snapshot as is or as a scenario."),
    "zones": ("zones_cmd", "command", "Buffers, withdrawal belts and protected sites."),
    "diff": ("diff_cmd", "command", "What changed hands between two snapshots."),
    "movement": ("movement_cmd", "command", "How far the front moved per period and sector."),
    "timeline": ("timeline_cmd", "command", "Occupied km² per date and region over a series."),
    "check": ("check_cmd", "command", "Breaches of a frozen line, and incidents."),
    "verify": ("verify_cmd", "command", "Verify an agreement's phases and conditions."),
    "reproduce": ("reproduce_cmd", "command", "Re-run a report from its manifest; compare."),
    "keygen": ("sign_cmd", "keygen", "Make a party's signing key (Ed25519)."),
    "sign": ("sign_cmd", "sign", "Sign a manifest as a party (a detached signature)."),
    "signatures": ("sign_cmd", "signatures", "List and check a manifest's signatures."),
    "annex": ("annex_cmd", "command", "A printable map annex (PDF, SVG, PNG) of the line."),
    "regions": ("regions_cmd", "command", "Region keys, names and aliases."),
    "fetch": ("sources_cmd", "fetch", "Download snapshots (the only command using the network)."),
    "import": ("sources_cmd", "import_cmd", "Import snapshots into a store."),
    "list": ("sources_cmd", "list_cmd", "List the snapshots in a store."),
    "cache": ("sources_cmd", "cache", "The download cache."),
    "compare": ("sources_cmd", "compare_cmd", "Where two sources or two parties disagree."),
}


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    from loc.errors import LocWarning, one_line

    ctx = click.get_current_context(silent=True)
    verbose = bool(ctx and ctx.find_root().meta.get("loc.verbose"))
    if issubclass(category, LocWarning) or verbose:
        click.echo(f"loc: warning: {one_line(message)}", err=True)


class LocGroup(click.Group):
    """A click group that loads commands lazily and turns errors into one stderr line:
    a LocError gives exit code 2, an unexpected error exit code 1 (``-v`` shows its
    traceback)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The commands, in the order of :data:`COMMANDS`."""
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import the command's module when the command is used."""
        spec = COMMANDS.get(cmd_name)
        if spec is None:
            return None
        module = importlib.import_module(f"loc.cli.{spec[0]}")
        return getattr(module, spec[1])

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from :data:`COMMANDS` (no command module is imported)."""
        rows = [(name, spec[2]) for name, spec in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    _CHECKED = re.compile(r"([a-z][a-z0-9_]*) must ")

    def _in_option_words(self, ctx: click.Context, message: str) -> str:
        """An error of a value the API checked, named as the user gave it: "width_km must
        be more than 0" of ``loc zones --width`` says ``--width``."""
        m = self._CHECKED.match(message)
        name = ctx.invoked_subcommand
        command = self.get_command(ctx, name) if m and name else None
        if command is None or m is None:
            return message
        word = m.group(1)
        for param in command.params:
            longs = [o for o in param.opts if o.startswith("--")]
            if isinstance(param, click.Option) and longs and param.name in (
                    word, re.sub(r"_(km2|km|m)$", "", word)):
                return longs[0] + message[len(word):]
        return message

    def invoke(self, ctx: click.Context):
        """Run a command; errors become one line on stderr."""
        from loc.errors import LocError, one_line

        try:
            return super().invoke(ctx)
        except LocError as exc:
            click.echo(f"loc: error: {one_line(self._in_option_words(ctx, str(exc)))}",
                       err=True)
            ctx.exit(2)
        except click.UsageError as exc:  # an option or argument click refuses: one line too
            where = exc.ctx.command_path if exc.ctx is not None else ctx.command_path
            click.echo(f"loc: error: {one_line(exc.format_message())} (see {where} --help)",
                       err=True)
            ctx.exit(2)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:  # the reader went away (``loc ... | head``): stop quietly
            import os

            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(141)
        except KeyboardInterrupt as exc:
            click.echo("loc: interrupted; nothing half-written was left", err=True)
            ctx.exit(128 + exc.signum if isinstance(exc, Terminated) else 130)
        except Exception as exc:  # a bug: one line, the traceback with -v
            if ctx.meta.get("loc.verbose"):
                traceback.print_exc()
            first = (str(exc).splitlines() or [""])[0][:200]
            click.echo(f"loc: internal error: {type(exc).__name__}: {first} (a bug in loc: "
                       "please report it; -v shows the traceback)", err=True)
            ctx.exit(1)


@click.group(cls=LocGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="loc")
@click.option("-q", "--quiet", is_flag=True, help="Only errors and warnings on stderr.")
@click.option("-v", "--verbose", is_flag=True,
              help="More on stderr: library warnings, tracebacks of internal errors.")
@click.option("--engine", type=click.Choice(["pyogrio", "fiona"]), default=None,
              help="GDAL binding for reading and writing files (default pyogrio, or "
                   "$LOC_ENGINE).")
@click.pass_context
def cli(ctx: click.Context, quiet: bool, verbose: bool, engine: str | None) -> None:
    """loc: lines of control for ceasefire annexes and monitoring.

    Read control areas (GeoJSON, GeoPackage, Shapefile, KML/KMZ, FlatGeobuf, or a store as
    STORE.gpkg@DATE), compute the line of contact, freeze lines and zones, diff dates and
    render versioned offline maps. With no SNAPSHOT, commands use the bundled illustrative
    sample (approximate).
    """
    ctx.meta["loc.quiet"] = quiet
    ctx.meta["loc.verbose"] = verbose
    ctx.meta["loc.engine"] = engine
    warnings.showwarning = _show_warning


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP (what ``timeout``, systemd and docker send): handled as Ctrl-C is,
    so that every write in progress cleans up what it staged.

    Parameters
    ----------
    signum : int
        The signal's number (the exit code is 128 plus it).
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _terminated(signum: int, _frame) -> None:
    raise Terminated(signum)


def main() -> None:
    """Console-script entry point."""
    import signal

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _terminated)
    sys.exit(cli.main(prog_name="loc"))
