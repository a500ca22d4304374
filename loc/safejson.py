"""JSON from untrusted input, parsed safely: size and nesting depth are checked before the
parser sees the text, so a hostile document gives one clear error instead of a
``RecursionError`` or an exhausted memory.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from loc import config
from loc.errors import InputError, LimitError

_OPEN = np.zeros(256, dtype=np.int8)
_OPEN[[ord("["), ord("{")]] = 1
_OPEN[[ord("]"), ord("}")]] = -1


def max_depth(data: bytes) -> int:
    """The deepest nesting of arrays and objects in JSON text (brackets inside strings are
    not counted).

    Parameters
    ----------
    data : bytes
        JSON text (UTF-8).

    Returns
    -------
    int
        The depth (0 for a bare number or string).

    Examples
    --------
    >>> max_depth(b'{"a": [[1, 2], "]]"]}')
    3
    """
    depth = _depths(data)
    return int(depth.max()) if len(depth) else 0


def depth_at_end(data: bytes) -> int:
    """How many arrays and objects are open at the end of a start of JSON text.

    Parameters
    ----------
    data : bytes
        The first bytes of a JSON text (UTF-8), ending outside a string.

    Returns
    -------
    int
        The open arrays and objects.

    Examples
    --------
    >>> depth_at_end(b'{"a": [[1, 2], "]]", {"b": [')
    4
    """
    depth = _depths(data)
    return int(depth[-1]) if len(depth) else 0


def _depths(data: bytes) -> np.ndarray:
    """The nesting depth after each byte (brackets inside strings not counted)."""
    a = np.frombuffer(data, dtype=np.uint8)
    if len(a) == 0:
        return np.zeros(0, dtype=np.int64)
    quote = a == ord('"')
    if quote.any():
        # a quote is escaped when an odd run of backslashes stands right before it
        back = a == ord("\\")
        q = np.flatnonzero(quote)
        run = np.zeros(len(q), dtype=np.int64)
        if back.any():
            # length of the backslash run ending just before each quote
            idx = np.arange(len(a))
            last_other = np.maximum.accumulate(np.where(~back, idx, -1))
            prev = q - 1
            ok = prev >= 0
            run[ok] = prev[ok] - last_other[prev[ok]]
        real = q[run % 2 == 0]
        inside = np.zeros(len(a) + 1, dtype=np.int64)
        np.add.at(inside, real, 1)
        is_quote = np.zeros(len(a), dtype=bool)
        is_quote[real] = True
        in_string = (np.cumsum(inside)[:-1] % 2 == 1) & ~is_quote
        step = np.where(in_string, 0, _OPEN[a])
    else:
        step = _OPEN[a]
    return np.cumsum(step, dtype=np.int64)


def loads(data: bytes | str, origin: str | None = None, *, depth: int | None = None,
          max_bytes: int | None = None, unique_keys: bool = False) -> Any:
    """Parse JSON after checking its size and nesting depth.

    Parameters
    ----------
    data : bytes or str
        The text.
    origin : str, optional
        The file or URL it came from, for messages.
    depth : int, optional
        Deepest nesting allowed; default :func:`loc.config.limit` ``("depth")``.
    max_bytes : int, optional
        Largest size allowed; default :func:`loc.config.limit` ``("bytes")``.
    unique_keys : bool
        Refuse an object that names one member twice (parsers differ on which one wins).

    Returns
    -------
    object
        The parsed document.

    Raises
    ------
    LimitError
        When the text is larger or deeper than allowed (the message names the setting).
    InputError
        When it is not JSON (with the parser's first line).
    """
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    limit_bytes = max_bytes or config.limit("bytes")
    if len(raw) > limit_bytes:
        raise LimitError(f"JSON of {len(raw):,} bytes is over the {limit_bytes:,}-byte limit "
                         "(raise LOC_MAX_BYTES)", origin)
    limit_depth = depth or config.limit("depth")
    found = max_depth(raw)
    if found > limit_depth:
        raise LimitError(f"JSON nested {found} deep is over the limit of {limit_depth} "
                         "(raise LOC_MAX_DEPTH)", origin)
    try:
        return json.loads(raw, object_pairs_hook=_unique if unique_keys else None)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise InputError(f"malformed JSON ({first})", origin) from None


def _unique(pairs: list[tuple[str, Any]]) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        keys = [k for k, _ in pairs]
        twice = next(k for i, k in enumerate(keys) if k in keys[:i])
        raise ValueError(f"member {twice[:40]!r} given twice")
    return out
