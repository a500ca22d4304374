"""Parties' keys and signatures of manifests: keygen, sign, signatures, maps verify and
reproduce, and every way a signature can stop matching."""

import json
import stat

import pytest

from loc.outputs.signatures import check_signatures, keygen, sign, signature_path
from loc.outputs.versions import verify
from tests.test_verify import report, run, world  # noqa: F401  (fixtures)


@pytest.fixture()
def keys(tmp_path):
    out = {}
    for party in ("ua", "ru", "un"):
        r = run("keygen", "--party", party, "-o", tmp_path / f"{party}.key")
        assert r.exit_code == 0, r.output
        out[party] = tmp_path / f"{party}.key"
    return out


@pytest.fixture()
def signed(report, keys):  # noqa: F811
    work, out = report
    for party in ("ua", "ru"):
        r = run("sign", out, "--key", keys[party])
        assert r.exit_code == 0, r.output
        assert r.stdout.strip() == str(out / f"manifest.json.{party}.sig")
    return out, keys


def trust(keys, *parties):
    args = []
    for p in parties:
        args += ["--trust", f"{keys[p]}.pub"]
    return args


def test_key_files_are_private_and_never_in_a_report(signed):
    out, keys = signed
    for path in keys.values():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.with_name(path.name + ".pub").stat().st_mode) & 0o077 != 0o077
        secret = json.loads(path.read_text())["private_key"]
        for f in out.iterdir():
            assert secret not in f.read_text(), f.name
    manifest = (out / "manifest.json").read_text()
    assert ".key" not in manifest


def test_keygen_never_overwrites(keys):
    before = keys["ua"].read_bytes()
    r = run("keygen", "--party", "ua", "-o", keys["ua"])
    assert r.exit_code == 2 and "exists already" in r.stderr
    assert keys["ua"].read_bytes() == before
    r = run("keygen", "--party", "u a", "-o", keys["ua"].with_name("x.key"))
    assert r.exit_code == 2 and "party 'u a' must be" in r.stderr


def test_keygen_never_writes_a_key_to_stdout_or_a_file_named_dash(tmp_path, monkeypatch):
    """`loc keygen -o -` wrote the private key to a file named `-` (and `-.pub`), exit 0;
    elsewhere `-o -` is stdout, where a private key must never go by accident."""
    monkeypatch.chdir(tmp_path)
    r = run("keygen", "--party", "ru", "-o", "-")
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr == ("loc: error: -o/--output names the private key's file: a private key "
                        "never goes to stdout\n")
    assert list(tmp_path.iterdir()) == []
    r = run("keygen", "--party", "ru")
    assert r.exit_code == 2 and "Missing option '-o'" in r.stderr


def test_signatures_of_a_file_that_is_no_manifest_is_an_error(tmp_path):
    """`loc signatures` of garbage said "no signatures beside it" (exit 1) where sign, maps
    verify and reproduce say "not a loc manifest" (exit 2): it now loads the manifest
    first, as they do."""
    garbage = tmp_path / "g.json"
    garbage.write_text("garbage\n")
    for command in ("signatures", "sign", "reproduce"):
        extra = ["--key", tmp_path / "none.key"] if command == "sign" else []
        r = run(command, garbage, *extra)
        assert r.exit_code == 2, (command, r.output)
        assert r.stderr.startswith(f"loc: error: {garbage}: not a loc manifest"), command
        assert r.stderr.count("\n") == 1


def test_two_parties_sign_and_every_check_lists_them(signed):
    out, keys = signed
    r = run("signatures", out, *trust(keys, "ua", "ru"))
    assert r.exit_code == 0, r.output
    assert [ln.split(":")[0] for ln in r.stdout.splitlines() if ".sig:" in ln] == [
        f"OK    {out}/manifest.json.ru.sig", f"OK    {out}/manifest.json.ua.sig"]
    assert all(ln.startswith("OK") for ln in r.stdout.splitlines())  # files checked too
    assert "signed by ua (key " in r.stdout and "trusted key): signature matches" in r.stdout
    r = run("maps", "verify", out, *trust(keys, "ua", "ru"))
    assert r.exit_code == 0 and r.stdout.count("signature matches") == 2
    r = run("reproduce", out, *trust(keys, "ua", "ru"))
    assert r.exit_code == 0 and r.stdout.count("signature matches") == 2
    # signing again with the same key gives the same bytes (Ed25519 is deterministic)
    sig = out / "manifest.json.ua.sig"
    before = sig.read_bytes()
    sign(out / "manifest.json", keys["ua"])
    assert sig.read_bytes() == before


def test_a_changed_byte_in_the_manifest_fails_every_signature(signed):
    out, keys = signed
    manifest = out / "manifest.json"
    data = bytearray(manifest.read_bytes())
    i = data.index(b'"as_of": "2025-01-25"') + len('"as_of": "2025-01-2')
    data[i] = ord("4")
    manifest.write_bytes(bytes(data))
    r = run("signatures", out)
    assert r.exit_code == 1
    assert sum(ln.startswith("FAIL") and ".sig:" in ln for ln in r.stdout.splitlines()) == 2
    assert "report id recomputed" in r.stdout
    assert "does not match the manifest's current bytes (changed since it was signed)" \
        in r.stdout
    r = run("maps", "verify", out)
    assert r.exit_code == 1 and "report id recomputed" in r.stdout


def test_a_changed_byte_in_the_report_is_detected(signed):
    out, keys = signed
    page = out / "summary.md"
    data = bytearray(page.read_bytes())
    data[10] ^= 1
    page.write_bytes(bytes(data))
    r = run("maps", "verify", out, *trust(keys, "ua", "ru"))
    assert r.exit_code == 1
    assert f"FAIL  {page}: sha256" in r.stdout
    assert r.stdout.count("signature matches") == 2  # the signed manifest is intact
    r = run("reproduce", out)
    assert r.exit_code == 1 and f"FAIL  {page}: differs from the re-run's bytes" in r.stdout


def test_a_wrong_key_is_detected(signed, tmp_path):
    out, keys = signed
    # someone makes another key named "ua" and signs over ua's signature
    r = run("keygen", "--party", "ua", "-o", tmp_path / "impostor.key")
    assert r.exit_code == 0
    sign(out / "manifest.json", tmp_path / "impostor.key")
    r = run("signatures", out, *trust(keys, "ua", "ru"))
    assert r.exit_code == 1
    assert "signed by ua with key" in r.stdout and "not ua's trusted key" in r.stdout
    # a signature whose bytes were made with another key than the one it names
    doc = json.loads((out / "manifest.json.ru.sig").read_text())
    other = json.loads((out / "manifest.json.ua.sig").read_text())
    doc["signature"] = other["signature"]
    (out / "manifest.json.ru.sig").write_text(json.dumps(doc))
    results = check_signatures(out / "manifest.json")
    ru = next(r for r in results if r[0].endswith(".ru.sig"))
    assert not ru[1] and "forged or made with another key" in ru[2]
    # a signer outside the trusted keys
    r = run("signatures", out, *trust(keys, "un"))
    assert r.exit_code == 1 and "who is not among the trusted keys" in r.stdout


def test_a_relabelled_signature_is_detected(signed):
    out, _ = signed
    doc = json.loads((out / "manifest.json.ua.sig").read_text())
    doc["party"] = "un"
    signature_path(out / "manifest.json", "un").write_text(json.dumps(doc))
    results = {p: (ok, d) for p, ok, d in check_signatures(out / "manifest.json")}
    ok, detail = results[str(out / "manifest.json.un.sig")]
    assert not ok and "signature does not match" in detail


@pytest.mark.parametrize("field", ["manifest_sha256", "key_id", "algorithm"])
def test_a_signature_file_edited_outside_what_it_signs_fails(signed, field):
    """The signature covers the manifest's bytes, not the file's other fields: an edited
    manifest_sha256 still verified, a file saying something untrue about what it signed."""
    out, keys = signed
    sig = out / "manifest.json.ua.sig"
    doc = json.loads(sig.read_text())
    doc[field] = "0" * 64 if field == "manifest_sha256" else "x" + str(doc[field])
    sig.write_text(json.dumps(doc))
    results = {p: (ok, d) for p, ok, d in check_signatures(out / "manifest.json")}
    ok, detail = results[str(sig)]
    assert not ok and f"the file's {field} is not what it signed" in detail
    assert results[str(out / "manifest.json.ru.sig")][0]  # the other party's still holds
    r = run("signatures", out, *trust(keys, "ua", "ru"))
    assert r.exit_code == 1 and "edited after signing" in r.stdout


def test_a_removed_signature_is_detected(signed):
    out, keys = signed
    (out / "manifest.json.ru.sig").unlink()
    r = run("signatures", out, *trust(keys, "ua", "ru"))
    assert r.exit_code == 1 and "no signature by ru (a trusted party)" in r.stdout
    r = run("reproduce", out, *trust(keys, "ua", "ru"))
    assert r.exit_code == 1 and "no signature by ru" in r.stdout
    (out / "manifest.json.ua.sig").unlink()
    r = run("signatures", out)
    assert r.exit_code == 1 and "no signatures beside" in r.stderr


def test_a_readable_private_key_is_refused(signed):
    out, keys = signed
    keys["ua"].chmod(0o644)
    r = run("sign", out, "--key", keys["ua"])
    assert r.exit_code == 2 and "is readable by others (mode 644)" in r.stderr


def test_map_versions_can_be_signed(tmp_path):
    r = run("render", "-o", tmp_path / "maps")
    assert r.exit_code == 0, r.output
    page = r.stdout.strip()
    private, public = keygen("osce", tmp_path / "osce.key")
    sig = sign(page.replace(".html", ".json"), private)
    assert sig.name.endswith(".json.osce.sig")
    results = verify(page, [public])
    assert all(ok for _, ok, _ in results)
    assert results[-1][2].startswith("signed by osce")
    r = run("maps", "list", tmp_path / "maps")
    assert r.exit_code == 0 and "ORPHAN" not in r.stdout


# -- found by a hostile review ------------------------------------------------------------

@pytest.mark.parametrize("extra", ["report-official.html.sig", "annex/report.html",
                                   "manifest.json.ua.sig.html"])
def test_any_file_the_manifest_does_not_list_fails_verify(signed, extra):
    out, _ = signed
    (out / extra).parent.mkdir(exist_ok=True)
    (out / extra).write_text("<h1>forged</h1>")
    results = verify(out)
    assert not all(ok for _, ok, _ in results)
    assert any("files not in the manifest: " in d and extra in d for _, ok, d in results)


def test_signatures_also_check_the_files_they_vouch_for(signed):
    """A signature covers the manifest and the manifest the files: a replaced page under
    intact signatures once passed `loc signatures`."""
    out, keys = signed
    r = run("signatures", out, *trust(keys, "ua", "ru"))
    assert r.exit_code == 0, r.output
    page = out / "report.html"
    page.write_bytes(page.read_bytes() + b"<script>alert(1)</script>")
    r = run("signatures", out, *trust(keys, "ua", "ru"))
    assert r.exit_code == 1 and "report.html" in r.stdout and "FAIL" in r.stdout


def test_only_a_manifest_that_verifies_is_signed(report, keys, tmp_path):  # noqa: F811
    """`loc sign` signed a text file and a report whose page had been changed (exit 0):
    a party could vouch for files that are not what the manifest lists."""
    work, out = report
    notes = tmp_path / "notes.txt"
    notes.write_text("hi\n")
    r = run("sign", notes, "--key", keys["ua"])
    assert r.exit_code == 2 and "not a loc manifest" in r.stderr
    assert not list(tmp_path.glob("notes.txt*.sig"))
    page = out / "summary.md"
    page.write_bytes(page.read_bytes() + b" ")
    r = run("sign", out, "--key", keys["ua"])
    assert r.exit_code == 2
    assert r.stderr.startswith(f"loc: error: {out / 'manifest.json'}: not signed: {page}: "
                               "sha256 ")
    assert not list(out.glob("*.sig"))


@pytest.mark.parametrize(("edit", "verify_exit"), [('"incidents": NaN', 2),
                                                   ('"incidents": 5', 1),
                                                   ('"incidents": ["x"]', 1)])
def test_an_edited_manifest_is_one_line_not_an_internal_error(report, edit,  # noqa: F811
                                                              verify_exit):
    """`"incidents": NaN` made `loc maps verify` and `loc reproduce` internal errors (a
    ValueError, a TypeError): NaN is not JSON as loc writes it, and arguments of the wrong
    type are not a command loc can re-run."""
    work, out = report
    manifest = out / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"incidents": "incidents.csv"', edit))
    r = run("maps", "verify", out)
    assert r.exit_code == verify_exit and "internal error" not in r.output
    if verify_exit == 2:
        assert r.stderr.startswith(f"loc: error: {manifest}: not a loc manifest (not JSON")
    else:
        assert "FAIL" in r.stdout and "report id recomputed" in r.stdout
    r = run("reproduce", out)
    assert r.exit_code == 2 and len(r.stderr.splitlines()) == 1
    assert "internal error" not in r.stderr
