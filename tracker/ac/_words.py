"""Words of a criterion: canonical tokens, quantities, and what a change of words risks.

Canonical tokens are case-folded, punctuation-free, with number words as digits and unit
spellings folded (``2 seconds`` = ``2s``), so that cosmetic rewrites compare equal and a
typo fix is a small edit between tokens that carry no number, unit, negation or modal.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher

from rapidfuzz.distance import OSA

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*(?:%|[^\W\d_]+)?|[<>]=?|[≤≥=]|[$€£]|[^\W_]+(?:'[^\W_]+)*")
_NUMBER = re.compile(r"(\d+(?:[.,]\d+)*)(.*)")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        ]
    )
} | {"twenty": "20", "thirty": "30", "forty": "40", "fifty": "50", "hundred": "100"}
_UNITS = {
    "ms": ("ms", "msec", "millisecond", "milliseconds"),
    "s": ("s", "sec", "secs", "second", "seconds"),
    "min": ("m", "min", "mins", "minute", "minutes"),
    "h": ("h", "hr", "hrs", "hour", "hours"),
    "d": ("d", "day", "days"),
    "wk": ("w", "wk", "week", "weeks"),
    "mo": ("month", "months"),
    "y": ("yr", "yrs", "year", "years"),
    "kb": ("kb", "kib", "kilobyte", "kilobytes"),
    "mb": ("mb", "mib", "megabyte", "megabytes"),
    "gb": ("gb", "gib", "gigabyte", "gigabytes"),
    "%": ("%", "percent", "pct"),
    "px": ("px", "pixel", "pixels"),
    "chars": ("char", "chars", "character", "characters"),
    "eur": ("eur", "euro", "euros", "€"),
    "usd": ("usd", "dollar", "dollars", "$"),
    "gbp": ("gbp", "pound", "pounds", "£"),
}
_SECONDS = {
    "ms": Decimal("0.001"),
    "s": Decimal(1),
    "min": Decimal(60),
    "h": Decimal(3600),
    "d": Decimal(86400),
    "wk": Decimal(604800),
}
_UNIT_OF = {spelling: unit for unit, spellings in _UNITS.items() for spelling in spellings}


def _vocabulary(text: str) -> frozenset[str]:
    return frozenset(text.split())


NEGATIONS = _vocabulary(
    "not no never none nobody nothing neither nor cannot without can't won't don't doesn't "
    "didn't shouldn't mustn't isn't aren't wasn't weren't couldn't wouldn't hasn't haven't shan't"
)
MODALS = _vocabulary(
    "must should shall may might can could will would optional optionally required mandatory"
)
BOUNDS = _vocabulary(
    "least most more less fewer greater min max minimum maximum before after above below "
    "within under over exceeds exceed up < > <= >= ≤ ≥ ="
)
_CONTEXT = NEGATIONS | MODALS | BOUNDS | {"at", "up"}
_PREFIXES = ("un", "in", "im", "il", "ir", "dis", "non", "en", "ex")
_MODAL_OF = {
    "can't": "can",
    "cannot": "can",
    "won't": "will",
    "shouldn't": "should",
    "mustn't": "must",
    "couldn't": "could",
    "wouldn't": "would",
    "shan't": "shall",
}
_ARTICLES = frozenset({"a", "an", "the"})


def words(text: str) -> list[tuple[str, str]]:
    """(canonical, as written) for each word of a display text. A number keeps its unit
    (``2 seconds``, ``2s`` → ``2s``) and a currency sign (``$5``), so a quantity is one word."""
    return list(_words_of(text))


@functools.lru_cache(maxsize=65_536)
def _words_of(text: str) -> tuple[tuple[str, str], ...]:
    # memoised: one diff tokenises a criterion for alignment, words, risks and typos
    out: list[tuple[str, str]] = []
    for shown in _TOKEN.findall(unicodedata.normalize("NFKC", text).translate(_QUOTES)):
        key = _canon_word(shown.casefold())
        prev = out[-1][0] if out else ""
        if prev and _is_number(prev) and key in _UNIT_OF and not _has_unit(prev):
            out[-1] = (_quantity_key(prev, _UNIT_OF[key]), out[-1][1] + " " + shown)
        elif prev in ("$", "€", "£") and _is_number(key):
            out[-1] = (prev + key, out[-1][1] + shown)
        else:
            out.append((key, shown))
    return tuple(out)


@functools.lru_cache(maxsize=65_536)
def _canon_word(word: str) -> str:
    # memoised: criteria share their vocabulary, and a quantity's key takes a Decimal
    word = _NUMBER_WORDS.get(word, word)
    if not word[:1].isdigit():  # most words: _NUMBER needs a leading digit
        return word
    m = _NUMBER.fullmatch(word)
    if not m:
        return word
    number, suffix = m.group(1), m.group(2)
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", number):
        number = number.replace(",", "")
    return _quantity_key(number, _UNIT_OF.get(suffix, suffix))


def _quantity_key(number: str, unit: str) -> str:
    """Durations in seconds, so ``1 hour`` and ``60 minutes`` are the same quantity."""
    factor = _SECONDS.get(unit)
    if factor is None:
        return number + unit
    try:
        seconds = Decimal(number.replace(",", ".")) * factor
    except InvalidOperation:
        return number + unit
    return format(seconds.normalize(), "f") + "s"


def _is_number(key: str) -> bool:
    return bool(key) and (key[0].isdigit() or (key[0] in "$€£" and key[1:2].isdigit()))


def _has_unit(key: str) -> bool:
    return not key[-1].isdigit()


def tokens(text: str) -> list[str]:
    """Canonical words of a display text."""
    return [key for key, _ in words(text)]


@functools.lru_cache(maxsize=65_536)
def canon(text: str) -> str:
    return " ".join(tokens(text))


def opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's edit script between two word lists; memoised, because one modified
    criterion is compared for its words, its risks and whether it is a typo fix."""
    return list(_opcodes(tuple(a), tuple(b)))


# difflib's matcher can take time quadratic in the words of a criterion. Past this many
# word pairs in the part that differs (after the common start and end), the middle is
# one replacement: a criterion that long was rewritten, not touched up.
_MAX_DIFF_PAIRS = 250_000


@functools.lru_cache(maxsize=16_384)
def _opcodes(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[tuple[str, int, int, int, int], ...]:
    if len(a) * len(b) <= _MAX_DIFF_PAIRS:
        return tuple(SequenceMatcher(None, a, b, autojunk=False).get_opcodes())
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    mid_a, mid_b = a[head : len(a) - tail], b[head : len(b) - tail]
    middle: list[tuple[str, int, int, int, int]]
    if len(mid_a) * len(mid_b) <= _MAX_DIFF_PAIRS:
        inner = SequenceMatcher(None, mid_a, mid_b, autojunk=False).get_opcodes()
        middle = [(t, i1 + head, i2 + head, j1 + head, j2 + head) for t, i1, i2, j1, j2 in inner]
    else:
        tag = "replace" if mid_a and mid_b else ("delete" if mid_a else "insert")
        middle = [(tag, head, len(a) - tail, head, len(b) - tail)] if mid_a or mid_b else []
    ops: list[tuple[str, int, int, int, int]] = [("equal", 0, head, 0, head)] if head else []
    ops += middle
    if tail:
        ops.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    return tuple(ops)


def word_changes(before: str, after: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(removed words, added words) between two criteria, in reading order."""
    wa, wb = words(before), words(after)
    a, b = [k for k, _ in wa], [k for k, _ in wb]
    da, db = [w for _, w in wa], [w for _, w in wb]
    removed: list[str] = []
    added: list[str] = []
    for tag, i1, i2, j1, j2 in opcodes(a, b):
        if tag != "equal":
            removed.extend(da[i1:i2])
            added.extend(db[j1:j2])
    return tuple(removed), tuple(added)


def number_risk(before: str, after: str) -> str | None:
    """``number: 2s → 500ms`` when the numbers or their units differ."""
    old, new = _quantities(before), _quantities(after)
    gone = [shown for key, shown in old.items() if key not in new]
    came = [shown for key, shown in new.items() if key not in old]
    if not gone and not came:
        return None
    return _risk("number", ", ".join(gone), ", ".join(came))


def _risk(name: str, old: str, new: str) -> str:
    """``number: 80 → 70``; ``number added: 42`` where nothing stood before (never a
    "(none) →" that reads as if something had been replaced)."""
    if not old:
        return f"{name} added: {new}"
    if not new:
        return f"{name} removed: {old}"
    return f"{name}: {old} → {new}"


def _quantities(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, shown in words(text):
        if _is_number(key):
            out.setdefault(key, shown)
    return out


def word_risks(before: str, after: str) -> list[str]:
    """Negation flips, modal and bound changes, each with the words around it."""
    wa, wb = words(before), words(after)
    a, b = [k for k, _ in wa], [k for k, _ in wb]
    risks: list[str] = []
    for tag, i1, i2, j1, j2 in opcodes(a, b):
        if tag == "equal":
            continue
        old, new = a[i1:i2], b[j1:j2]
        if "".join(old) == "".join(new):
            continue
        # an inserted or deleted word reads better with the word before it: must → must not
        lead = a[i1 - 1] if i1 > 0 else ""
        # Only a word that is itself a modal, negation or bound is context worth showing:
        # "must → must not" yes; "once → once and can be downloaded" (once is no modal) no.
        keep = lead in _CONTEXT and (tag != "replace" or lead in ("at", "up", "no", "not"))
        ctx = [w for _, w in wa[i1 - 1 : i1]] if keep else []
        shown_old = " ".join(ctx + [w for _, w in wa[i1:i2]])
        shown_new = " ".join(ctx + [w for _, w in wb[j1:j2]])
        for name, vocabulary in (("negation", NEGATIONS), ("modal", MODALS), ("bound", BOUNDS)):
            if _changed(name, old, new, vocabulary):
                risks.append(_risk(name, shown_old, shown_new))
        if _prefix_negation(old, new) and not _changed("negation", old, new, NEGATIONS):
            risks.append(_risk("negation", shown_old, shown_new))
    return risks


def _changed(name: str, old: list[str], new: list[str], vocabulary: frozenset[str]) -> bool:
    if name == "modal":  # can't → can is a negation, not a change of modal
        old, new = [_MODAL_OF.get(w, w) for w in old], [_MODAL_OF.get(w, w) for w in new]
    return sorted(w for w in old if w in vocabulary) != sorted(w for w in new if w in vocabulary)


def _prefix_negation(old: list[str], new: list[str]) -> bool:
    """visible → invisible, enabled → disabled, include → exclude."""
    return any(x != y and _roots(x) & _roots(y) for x in old for y in new)


def _roots(word: str) -> set[str]:
    roots = {word}
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            roots.add(word[len(prefix) :])
    return roots


def is_sensitive(word: str) -> bool:
    """A word a typo fix may not touch: numbers, units, negations, modals, bounds."""
    return (
        _is_number(word)
        or word in ("$", "€", "£")
        or word in _UNIT_OF
        or word in NEGATIONS
        or word in MODALS
        or word in BOUNDS
        or word in _UNITS
    )


def is_typo_fix(before: str, after: str) -> bool:
    """True when ``after`` differs from ``before`` only by case, punctuation, spacing,
    articles, accents (any number of them), or up to three small misspellings of words
    that carry no number, unit, negation or modal."""
    a, b = tokens(before), tokens(after)
    if a == b:
        return True
    fixes = 0
    for tag, i1, i2, j1, j2 in opcodes(a, b):
        if tag == "equal":
            continue
        old, new = a[i1:i2], b[j1:j2]
        if "".join(old) == "".join(new):  # sign-up → signup, e-mail → email
            continue
        if _unaccented(old) == _unaccented(new):  # sesion → sesión: however many
            continue
        if any(is_sensitive(w) for w in old + new):
            return False
        if _small_edit(old, new):
            fixes += 1
        elif any(w not in _ARTICLES for w in old + new):
            return False
    return fixes <= 3


def _unaccented(words: list[str]) -> str:
    """The words without their diacritics: ``días`` → ``dias``. Digits and the words
    themselves are untouched, so a number or a negation still differs."""
    decomposed = unicodedata.normalize("NFKD", "".join(words))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _small_edit(old: list[str], new: list[str]) -> bool:
    if not old or not new or len(old) > 2 or len(new) > 2 or _prefix_negation(old, new):
        return False
    x, y = "".join(old), "".join(new)
    if x == y:
        return True
    distance, shortest = OSA.distance(x, y), min(len(x), len(y))
    if shortest >= 6:
        return bool(distance <= 2)
    if shortest >= 4:
        return bool(distance <= 1)
    return shortest >= 3 and distance == 1 and sorted(x) == sorted(y)
