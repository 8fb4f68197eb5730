"""Names in any script as one Latin spelling, and as a consonant skeleton that hands and scripts
agree on.

ICU's transforms (through PyICU) do the transliteration: `Kazakh-Latin/BGN` for Cyrillic, since
`Any-Latin` leaves ұ, ү, ө, ң and һ untouched and turns ә into ə; it also reads Russian
Cyrillic well (Юсуф → Yusuf, Щукин → Shchukin). `Arabic-Latin` writes only the letters that are
there: names are written without short vowels (محمد → mhmd), ة comes out as t, ع and ء as the
modifier letters ʿ and ʾ. What no library does, and this module does by hand:

- the skeleton: a name's consonants in broad classes, vowels and the half-vowels w and y left out,
  so that an unvowelled Arabic name and its Latin and Cyrillic spellings meet (محمد, Muhammad,
  Mukhammed and Мұхаммед are all `mkmt`); jellyfish's metaphone and NYSIIS keep vowels and tell
  Mukhammed from Muhammad (MKHMT, MHMT), and fold nothing of Arabic;
- the spelling variants of Central Asian names that no phonetic algorithm knows: -iyev/-iev/-iew,
  kh/h/x, zh/j/dzh, q/k, gh/g, w/v, doubled letters;
- ة read as the vowel it is at the end of a name, and a final h dropped (Fatimah, Abdullah).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

import icu  # type: ignore[import-untyped]  # PyICU ships no type information

# Zero-width and other format characters (category Cf) are invisible and never part of a name.
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_ARABIC_FOLDS = str.maketrans({"ة": "ا", "ى": "ي", "ٱ": "ا", "ـ": None})
_NOT_LETTER = re.compile(r"[^a-z]+")
# Latin spellings of one sound, longest first; applied in order to ASCII lowercase text.
_SOUNDS = (
    ("shch", "s"),
    ("dzh", "j"),
    ("sch", "s"),
    ("kh", "h"),
    ("zh", "j"),
    ("dj", "j"),
    ("sh", "s"),
    ("ch", "s"),
    ("ts", "s"),
    ("th", "s"),
    ("gh", "g"),
    ("ph", "f"),
    ("x", "h"),
)
# Consonant classes the skeleton keeps: sounds that scripts and hands confuse share a class.
_CLASSES = str.maketrans(
    {
        "p": "b",
        "v": "f",
        "d": "t",
        "z": "s",
        "c": "k",
        "q": "k",
        "g": "k",
        "h": "k",
        "a": None,
        "e": None,
        "i": None,
        "o": None,
        "u": None,
        "y": None,
        "w": None,
    }
)
_W_AS_V = re.compile(r"w(?=[aeiouy]|$)")
_REPEATS = re.compile(r"(.)\1+")
# The Arabic article, written joined (الحسن) or with a hyphen or space (al-Hasan).
_ARTICLE = re.compile(r"^(?:al|el|ul)[- ](?=\w{3})")


@cache
def _transform(name: str) -> icu.Transliterator:
    return icu.Transliterator.createInstance(name)


def plain(text: str) -> str:
    """The text as typed minus what nobody sees: NFKC, format characters, combining marks on
    Latin letters, case."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).casefold()
    return text.translate(_ARABIC_FOLDS)


def latin(text: str) -> str:
    """The name in lowercase ASCII Latin, whatever script it was written in; letters and
    single spaces only."""
    text = plain(text)
    text = _transform("Kazakh-Latin/BGN").transliterate(text)
    text = _transform("Arabic-Latin").transliterate(text)
    text = _transform("Any-Latin; Latin-ASCII").transliterate(text).lower()
    return " ".join(_NOT_LETTER.sub(" ", text).split())


# A manifest compares each name with many others: each spelling is worked out once.
@lru_cache(maxsize=65_536)
def spelled(text: str) -> str:
    """The Latin spelling with the variants of one sound made one (kh/h, zh/j, iy/i, w/v …),
    vowels kept; what fuzzy comparison of two fully written names reads."""
    word = _ARTICLE.sub("", latin(text)).replace(" ", "")
    word = word.replace("iy", "i").replace("ye", "e").replace("yu", "u")
    if not is_unvowelled(text):  # in Arabic, و is mostly the vowel u: the skeleton drops it
        word = _W_AS_V.sub("v", word)  # Nurgaliewa, Sultanow; but Dawlet is Daulet
    for sound, letter in _SOUNDS:
        word = word.replace(sound, letter)
    if word.endswith("h") and len(word) > 3:
        word = word[:-1]
    return _REPEATS.sub(r"\1", word)


@lru_cache(maxsize=65_536)
def skeleton(text: str) -> str:
    """The name's consonant classes, vowels, w and y left out: what an unvowelled Arabic name
    and every other spelling of it have in common."""
    return _REPEATS.sub(r"\1", spelled(text).translate(_CLASSES))


def is_unvowelled(text: str) -> bool:
    """Whether the name is written in Arabic script, whose short vowels are not written."""
    return any("\u0600" <= char <= "\u06ff" for char in text)
