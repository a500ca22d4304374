"""``loc reproduce``: re-run a report from its manifest and compare every byte."""

from __future__ import annotations

from pathlib import Path

import click

from loc.cli.options import emit_checks, say, trust_opt


@click.command("reproduce")
@click.argument("manifest", type=click.Path(path_type=Path), metavar="MANIFEST")
@trust_opt
def command(manifest, trust) -> None:
    """Re-run the report of MANIFEST (its folder or manifest.json) from what it records:
    the inputs (found by their recorded paths, so run it where the report was made, and
    checked by sha256), the arguments and the loc version; then compare every output byte
    for byte and check every signature.

    Exit code 0 when every output is byte-identical and every signature matches, 1 when
    anything differs, an input is missing or changed (each is named), or a signature
    fails.
    """
    from loc.outputs.reproduce import reproduce

    results = reproduce(manifest, list(trust) or None)
    if not emit_checks(results):
        say("not reproduced")
        raise SystemExit(1)
    say("reproduced: every output is byte-identical")
