"""Signatures of manifests: each party of a joint body signs a report's or map's manifest
with its own Ed25519 key, in a detached file beside it.

``keygen`` writes a party's private key ``KEY`` (mode 0600; it never goes into a manifest
or a report) and its public key ``KEY.pub`` to hand to the other parties. ``sign`` writes
``<manifest>.<party>.sig`` beside the manifest: the party, its public key and key id, the
manifest's SHA-256 and the signature of the manifest's exact bytes (prefixed by
:data:`DOMAIN` and the party's name, so a signature cannot be passed off as another
party's or as a signature of something else). As the manifest holds the SHA-256 of every
file and input, a signature covers all of them. :func:`check_signatures` checks every
signature against the manifest's current bytes and, given the parties' public keys, that
each of them signed with its own key.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from loc import checks, safejson
from loc.errors import InputError, LocError, OptionError
from loc.io.writers import dumps, write_atomic, write_private

ALGORITHM = "Ed25519"
DOMAIN = b"loc manifest signature v1\0"
"""What every signed message starts with, then the party's name, a NUL, the manifest."""
PRIVATE, PUBLIC, SIGNATURE = "loc-ed25519-private-key", "loc-ed25519-public-key", \
    "loc-manifest-signature"
"""The ``format`` of a private key, a public key and a signature file."""
SUFFIX = ".sig"


def key_id(public: bytes) -> str:
    """A public key's id: 16 hex digits of the SHA-256 of its 32 raw bytes.

    Parameters
    ----------
    public : bytes
        The raw public key.

    Returns
    -------
    str
        The id.

    Examples
    --------
    >>> key_id(bytes(32))
    '66687aadf862bd77'
    """
    return hashlib.sha256(public).hexdigest()[:16]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text, what: str, where: Path, size: int) -> bytes:
    try:
        raw = base64.b64decode(str(text), validate=True)
    except (binascii.Error, ValueError):
        raise InputError(f"{what} is not base64", where) from None
    if len(raw) != size:
        raise InputError(f"{what} is {len(raw)} bytes, not {size}", where)
    return raw


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _read_doc(path: Path, kind: str) -> dict:
    if not path.is_file():
        raise InputError("no such file", path)
    doc = safejson.loads(path.read_bytes(), str(path))
    if not isinstance(doc, dict) or doc.get("format") != kind:
        raise InputError(f"not a loc {kind.removeprefix('loc-').replace('-', ' ')} file", path)
    return doc


def keygen(party: str, path: str | Path) -> tuple[Path, Path]:
    """Make a party's Ed25519 key pair: ``path`` (private, mode 0600) and ``path.pub``.

    Parameters
    ----------
    party : str
        The party's name (1-64 letters, digits, ``.``, ``_``, ``-``).
    path : str or Path
        The private key file; neither it nor ``path.pub`` may exist.

    Returns
    -------
    (pathlib.Path, pathlib.Path)
        The private and the public key files.

    Raises
    ------
    LocError
        For a bad party name or a key file that exists (it is not touched).
    """
    party = checks.name(party, "party")
    path = Path(path)
    pub_path = path.with_name(path.name + ".pub")
    if pub_path.exists():
        raise OptionError("exists already: refusing to overwrite it", pub_path)
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    public = _raw_public(key.public_key())
    write_private(path, dumps({"format": PRIVATE, "party": party, "algorithm": ALGORITHM,
                               "key_id": key_id(public), "private_key": _b64(private)}) + "\n")
    try:
        write_atomic(pub_path, dumps({"format": PUBLIC, "party": party, "algorithm": ALGORITHM,
                                      "key_id": key_id(public), "public_key": _b64(public)})
                     + "\n")
    except BaseException:  # both files or neither: a private key alone would block a retry
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    return path, pub_path


def _private_key(path: Path) -> tuple[str, Ed25519PrivateKey]:
    if path.is_file() and path.stat().st_mode & 0o077:
        raise OptionError(f"is readable by others (mode {path.stat().st_mode & 0o777:o}): a "
                          "private key must be mode 600 (chmod 600 it)", path)
    doc = _read_doc(path, PRIVATE)
    party = checks.name(doc.get("party"), "party")
    raw = _unb64(doc.get("private_key"), "private_key", path, 32)
    return party, Ed25519PrivateKey.from_private_bytes(raw)


def read_public_key(path: str | Path) -> tuple[str, Ed25519PublicKey]:
    """A party's public key from its ``KEY.pub`` file.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    (str, Ed25519PublicKey)
        The party and its key.

    Raises
    ------
    LocError
        When it is not a loc public key file.
    """
    path = Path(path)
    doc = _read_doc(path, PUBLIC)
    party = checks.name(doc.get("party"), "party")
    raw = _unb64(doc.get("public_key"), "public_key", path, 32)
    return party, Ed25519PublicKey.from_public_bytes(raw)


def _message(party: str, data: bytes) -> bytes:
    return DOMAIN + party.encode("ascii") + b"\0" + data


def signature_path(manifest: str | Path, party: str) -> Path:
    """Where a party's signature of a manifest goes: ``<manifest>.<party>.sig`` beside it.

    Parameters
    ----------
    manifest : str or Path
        The manifest.
    party : str
        The party.

    Returns
    -------
    pathlib.Path
        The signature file.

    Examples
    --------
    >>> signature_path("r/manifest.json", "ua").name
    'manifest.json.ua.sig'
    """
    manifest = Path(manifest)
    return manifest.with_name(f"{manifest.name}.{checks.name(party, 'party')}{SUFFIX}")


def sign(manifest: str | Path, key: str | Path) -> Path:
    """Sign a manifest's current bytes with a party's private key, beside the manifest.

    Parameters
    ----------
    manifest : str or Path
        The manifest file.
    key : str or Path
        The party's private key (``loc keygen``; mode 0600).

    Returns
    -------
    pathlib.Path
        The signature file (replacing that party's earlier signature, if any).

    Raises
    ------
    LocError
        For a missing manifest, or a key that is not a loc private key or is readable by
        others.
    """
    manifest = Path(manifest)
    if not manifest.is_file():
        raise InputError("no such manifest", manifest)
    party, private = _private_key(Path(key))
    data = manifest.read_bytes()
    public = _raw_public(private.public_key())
    doc = {"format": SIGNATURE, "party": party, "algorithm": ALGORITHM,
           "key_id": key_id(public), "public_key": _b64(public), "manifest": manifest.name,
           "manifest_sha256": hashlib.sha256(data).hexdigest(),
           "signature": _b64(private.sign(_message(party, data)))}
    return write_atomic(signature_path(manifest, party), dumps(doc) + "\n")


def _check_one(sig: Path, data: bytes, trusted: dict | None) -> tuple[str, bool, str]:
    try:
        doc = _read_doc(sig, SIGNATURE)
        party = checks.name(doc.get("party"), "party")
        if sig.name != signature_path(sig.parent / str(doc.get("manifest")), party).name:
            return str(sig), False, (f"claims to be {party}'s signature of "
                                     f"{str(doc.get('manifest'))[:60]!r}: not this file's")
        public = _unb64(doc.get("public_key"), "public_key", sig, 32)
        signature = _unb64(doc.get("signature"), "signature", sig, 64)
    except LocError as exc:
        return str(sig), False, f"unreadable signature: {exc}"
    kid = key_id(public)
    if trusted is not None:
        if party not in trusted:
            return str(sig), False, f"signed by {party}, who is not among the trusted keys"
        want = _raw_public(trusted[party])
        if want != public:
            return str(sig), False, (f"signed by {party} with key {kid}, not {party}'s "
                                     f"trusted key {key_id(want)}")
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, _message(party, data))
    except InvalidSignature:
        changed = hashlib.sha256(data).hexdigest() != doc.get("manifest_sha256")
        return str(sig), False, (f"signed by {party} (key {kid}): signature does not match "
                                 + ("the manifest's current bytes (changed since it was "
                                    "signed)" if changed else "the manifest (forged or made "
                                    "with another key)"))
    # the signature covers the manifest, not the file's other fields: they must agree with
    # it, or the file was edited after signing (and says something untrue)
    told = {"algorithm": (doc.get("algorithm"), ALGORITHM), "key_id": (doc.get("key_id"), kid),
            "manifest_sha256": (doc.get("manifest_sha256"), hashlib.sha256(data).hexdigest())}
    wrong = [k for k, (said, true) in told.items() if said != true]
    if wrong:
        return str(sig), False, (f"signed by {party} (key {kid}): the signature matches, but "
                                 f"the file's {', '.join(wrong)} is not what it signed "
                                 "(edited after signing)")
    trust = "trusted key" if trusted is not None else "key not checked against a trusted key"
    return str(sig), True, f"signed by {party} (key {kid}, {trust}): signature matches"


def check_signatures(manifest: str | Path, trusted: list[str | Path] | None = None
                     ) -> list[tuple[str, bool, str]]:
    """Check every signature beside a manifest against its current bytes.

    Parameters
    ----------
    manifest : str or Path
        The manifest file.
    trusted : list of path, optional
        The parties' public key files: each of them must have signed with that key, and
        a signature by anyone else or with another key fails.

    Returns
    -------
    list of (str, bool, str)
        One ``(signature file, ok, detail)`` per signature, and one failure per trusted
        party that has not signed.

    Raises
    ------
    LocError
        For a missing manifest, an unreadable public key file, or two trusted keys of one
        party.
    """
    manifest = Path(manifest)
    if not manifest.is_file():
        raise InputError("no such manifest", manifest)
    keys: dict | None = None
    if trusted:
        keys = {}
        for path in trusted:
            party, key = read_public_key(path)
            if party in keys:
                raise OptionError(f"two trusted keys for {party}: give one per party", path)
            keys[party] = key
    data = manifest.read_bytes()
    prefix, results = f"{manifest.name}.", []
    signed = set()
    for sig in sorted(manifest.parent.glob(f"{manifest.name}.*{SUFFIX}")):
        party = sig.name[len(prefix):-len(SUFFIX)]
        results.append(_check_one(sig, data, keys))
        signed.add(party)
    for party in sorted(set(keys or {}) - signed):
        results.append((str(signature_path(manifest, party)), False,
                        f"no signature by {party} (a trusted party)"))
    return results
