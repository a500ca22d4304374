"""``loc keygen``, ``loc sign`` and ``loc signatures``: parties' Ed25519 keys and detached
signatures of manifests."""

from __future__ import annotations

from pathlib import Path

import click

from loc.cli.options import emit, emit_checks, key_opt, output_opt, party_opt, say, trust_opt


@click.command("keygen")
@party_opt
@output_opt(what="The private key file (mode 0600, never stdout); the public "
            "key goes to FILE.pub.", private=True)
def keygen(party, output) -> None:
    """Make an Ed25519 key pair for a party: FILE (private, mode 0600, keep it to yourself)
    and FILE.pub (give it to the other parties: loc signatures --trust FILE.pub). An
    existing key is never overwritten."""
    from loc.outputs.signatures import keygen as make

    private, public = make(party, output)
    say(f"key of {party}: {private} (private, mode 600), {public} (public)")


@click.command("sign")
@click.argument("manifest", type=click.Path(path_type=Path), metavar="MANIFEST")
@key_opt
def sign(manifest, key) -> None:
    """Sign MANIFEST (a report's folder or manifest.json, a map's .html or .json) as the
    key's party: writes <manifest>.<party>.sig beside it. Sign what you have re-created
    (loc reproduce) or checked (loc maps verify): a signature covers every file and input
    the manifest lists. A manifest whose files or inputs do not verify is not signed."""
    from loc.errors import InputError
    from loc.outputs.signatures import sign as make
    from loc.outputs.versions import manifest_path, verify_files

    found = manifest_path(manifest)
    bad = [(what, detail) for what, ok, detail in verify_files(found) if not ok]
    if bad:
        what, detail = bad[0]
        more = f" (and {len(bad) - 1} more; loc maps verify lists them)" if len(bad) > 1 else ""
        raise InputError(f"not signed: {what}: {detail}{more}", found)
    emit(f"{make(found, key)}\n", None)


@click.command("signatures")
@click.argument("manifest", type=click.Path(path_type=Path), metavar="MANIFEST")
@trust_opt
def signatures(manifest, trust) -> None:
    """List the parties that signed MANIFEST and check each signature against its current
    bytes; with --trust (a party's KEY.pub, repeatable) each trusted party must have signed
    with that key. A signature covers the manifest's bytes and the manifest the files', so
    the files are checked too (as `loc maps verify` does). Exit code 0 when every
    signature and file matches, 1 when any does not, a trusted party has not signed, or
    there is no signature at all."""
    from loc.outputs.signatures import check_signatures
    from loc.outputs.versions import manifest_path, verify_files

    found = manifest_path(manifest)
    files = verify_files(found)  # loads the manifest first: anything else is refused
    signatures = check_signatures(found, list(trust) or None)
    if not signatures:
        say(f"no signatures beside {found}")
        raise SystemExit(1)
    results = files + signatures
    if not emit_checks(results):
        raise SystemExit(1)
