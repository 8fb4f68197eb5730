"""Whether two children's particulars are one child: names compared across scripts, birth dates
within their precision, sexes that agree.

Pure functions over plain values (`ChildSpec`), so that opening a case, a manifest's rows and the
benchmark all judge alike. rapidfuzz scores the spellings: Jaro-Winkler on the Latin spelling with
vowels, where both names were written with them, and the Levenshtein similarity of the consonant
skeletons, which is all an unvowelled Arabic name can be compared by.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import product

from rapidfuzz.distance import JaroWinkler, Levenshtein

from workflow.duplicates.spelling import is_unvowelled, skeleton, spelled
from workflow.vocabulary import DatePrecision

SAME_CHILD = 0.86  # the name score from which two children with agreeing particulars are one
ESTIMATE_YEARS = 2  # an estimated birth year may be this far from the other
PREFIX = 2  # the first sounds of a name part that a looser key keeps
ONE_PART_ONLY = 0.92  # a name with only a given (or only a family) name counts for less


@dataclass(frozen=True)
class NameSpec:
    """One way a child's name was written."""

    given: str | None
    family: str | None
    patronymic: str | None = None


@dataclass(frozen=True)
class ChildSpec:
    """What the duplicate check compares of a child: names, sex, birth date and its precision."""

    names: tuple[NameSpec, ...]
    sex: str | None = None
    birth_date: date | None = None
    precision: DatePrecision | None = None


def same_child(a: ChildSpec, b: ChildSpec) -> bool:
    """Whether the two are one child, by the names, the sex and the birth date."""
    return child_score(a, b) >= SAME_CHILD


def child_score(a: ChildSpec, b: ChildSpec) -> float:
    """How alike the two children are, 0 to 1; 0 when the sex or the birth dates disagree."""
    if a.sex and b.sex and a.sex != b.sex:
        return 0.0
    if not dates_agree(a.birth_date, a.precision, b.birth_date, b.precision):
        return 0.0
    return max((name_score(x, y) for x, y in product(a.names, b.names)), default=0.0)


def name_score(a: NameSpec, b: NameSpec) -> float:
    """How alike two written names are, the given and family names in either order."""
    straight = _pair(a.given, b.given, a.family, b.family)
    crossed = _pair(a.given, b.family, a.family, b.given)
    return max(straight, crossed)


def _pair(given_a: str | None, given_b: str | None, fam_a: str | None, fam_b: str | None) -> float:
    scores = [s for s in (part_score(given_a, given_b), part_score(fam_a, fam_b)) if s is not None]
    if not scores:
        return 0.0
    return min(scores) if len(scores) == 2 else scores[0] * ONE_PART_ONLY


def part_score(a: str | None, b: str | None) -> float | None:
    """How alike two given (or two family) names are; None when either is missing."""
    if not a or not b:
        return None
    bones = Levenshtein.normalized_similarity(skeleton(a), skeleton(b))
    if is_unvowelled(a) or is_unvowelled(b):
        return bones
    return (bones + JaroWinkler.normalized_similarity(spelled(a), spelled(b))) / 2


def dates_agree(
    a: date | None,
    a_precision: DatePrecision | None,
    b: date | None,
    b_precision: DatePrecision | None,
) -> bool:
    """Whether two birth dates can be one, each known only as precisely as recorded."""
    if a is None or b is None:
        return True
    precisions = {a_precision or DatePrecision.EXACT, b_precision or DatePrecision.EXACT}
    if DatePrecision.ESTIMATED in precisions:
        return abs(a.year - b.year) <= ESTIMATE_YEARS
    if DatePrecision.YEAR in precisions:
        return a.year == b.year
    if DatePrecision.MONTH in precisions:
        return (a.year, a.month) == (b.year, b.month)
    # Day and month written the other way round (03.04 for 04.03) are one date misread.
    return a == b or (a.year, a.month, a.day) == (b.year, b.day, b.month)


def stored_keys(names: Iterable[NameSpec]) -> set[str]:
    """The keys a recorded child is found by: each written name's given and family skeletons,
    and each of them whole beside the other's first sounds, so that a slip of the pen in one
    part still leaves a key in common."""
    keys: set[str] = set()
    for name in names:
        given, family = _bones(name.given), _bones(name.family)
        keys |= {f"{given}|{family}", f"{given}|{family[:PREFIX]}~", f"~{given[:PREFIX]}|{family}"}
    return keys


def sought_keys(names: Iterable[NameSpec]) -> set[str]:
    """The keys to look a new child up by: its names' keys, the given and family names also
    the other way round, and each part alone, to find a child recorded by one part only."""
    keys: set[str] = set()
    for name in names:
        given, family = _bones(name.given), _bones(name.family)
        for first, second in ((given, family), (family, given)):
            keys |= {f"{first}|{second}", f"{first}|{second[:PREFIX]}~"}
            keys |= {f"~{first[:PREFIX]}|{second}", f"{first}|", f"|{second}"}
    return keys - {"|"}


def _bones(part: str | None) -> str:
    if not part:
        return ""
    return skeleton(part) or f"~{spelled(part)}"  # a name of vowels only keeps its vowels
