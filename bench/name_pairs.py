"""`python -m bench.name_pairs`: write the labelled set of name pairs the duplicate matcher is
measured on, `bench/data/name_pairs.csv`, the same every time (a fixed random seed).

Each row is two records of a child as two hands wrote them, and whether they are one child. The
same child: a Kazakh name in Kazakh Cyrillic, Russian Cyrillic (without the Kazakh letters), Latin
as a passport writes it, as the 2021 Kazakh Latin alphabet writes it and as someone writes it by
ear, and Arabic (an Arabic clerk's spelling of the Kazakh sounds, and the traditional spelling of
an Arabic name), with slips of the pen and birth dates known more or less precisely. Different
children: siblings, namesakes born at other times, and children whose names differ by a letter
or two. The rules make most rows; `HARD_CASES` below are written by hand.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

from bench.name_pairs_hard import HARD_CASES
from bench.names import FAMILIES, GIVEN_FEMALE, GIVEN_MALE

OUT = Path(__file__).resolve().parent / "data" / "name_pairs.csv"
SEED = 14_2026
POSITIVES, SIBLINGS, NAMESAKES, LOOKALIKES = 330, 60, 60, 110
COLUMNS = (
    "label",
    "kind",
    "a_given",
    "a_family",
    "a_sex",
    "a_birth",
    "a_precision",
    "b_given",
    "b_family",
    "b_sex",
    "b_birth",
    "b_precision",
)
# More Kazakh names, written in Kazakh Cyrillic only: the other spellings come from the rules.
MORE_FEMALE = [
    "Ақбота",
    "Аружан",
    "Балнұр",
    "Гүлжан",
    "Жансая",
    "Інжу",
    "Мөлдір",
    "Назерке",
    "Өмірзая",
    "Томирис",
    "Ұлжан",
    "Үміт",
    "Асылым",
    "Дильназ",
    "Камила",
]
MORE_MALE = [
    "Алихан",
    "Бауыржан",
    "Ғалымжан",
    "Диас",
    "Еркебұлан",
    "Жәнібек",
    "Қуаныш",
    "Мағжан",
    "Нұрсұлтан",
    "Рамазан",
    "Тәуекел",
    "Үмбет",
    "Шыңғыс",
    "Ілияс",
    "Яхия",
]
MORE_FAMILIES = [
    "Әбдірахманов",
    "Бекболатов",
    "Ғабдуллин",
    "Дүйсенбаев",
    "Есенжолов",
    "Жақыпов",
    "Исабеков",
    "Қожахметов",
    "Мұратбеков",
    "Нұрпейісов",
    "Оразбаев",
    "Сәрсенбаев",
    "Тілеубердиев",
    "Үсенов",
    "Шәріпов",
    "Ықсанов",
]
# Given names that differ by a letter or two: different children.
LOOKALIKE_GIVEN = [
    ("Әлия", "Алина"),
    ("Амина", "Әмира"),
    ("Дана", "Диана"),
    ("Сара", "Зара"),
    ("Малика", "Мадина"),
    ("Айдар", "Айдос"),
    ("Ерлан", "Ербол"),
    ("Мұрат", "Марат"),
    ("Дәулет", "Дәурен"),
    ("Әмір", "Әмин"),
    ("Арман", "Арсен"),
    ("Нұрлан", "Нұрбол"),
    ("Асель", "Әсем"),
    ("Сұлтан", "Сұңқар"),
    ("Айгерім", "Айгүл"),
    ("Жанар", "Жаннат"),
    ("Әли", "Әлім"),
    ("Фатима", "Фариза"),
    ("Ясмин", "Ясмина"),
    ("Хамза", "Хасен"),
]
LOOKALIKE_FAMILIES = [
    ("Қасымов", "Қасенов"),
    ("Әлиев", "Әлімов"),
    ("Сұлтанов", "Сұлтанбеков"),
    ("Исаев", "Исаков"),
    ("Кәрімов", "Кәрімбаев"),
    ("Серікбаев", "Серіков"),
    ("Нұрғалиев", "Нұрғазиев"),
    ("Ахметов", "Ахметжанов"),
    ("Омаров", "Оспанов"),
    ("Жұмабаев", "Жұмағалиев"),
    ("Байжанов", "Байболов"),
    ("Тоқтаров", "Тоқтасынов"),
]

RUSSIAN = str.maketrans("әғқңөұүһі", "агкноууһи".replace("һ", "х"))
PASSPORT = {
    "ә": "a",
    "ғ": "g",
    "қ": "k",
    "ң": "n",
    "ө": "o",
    "ұ": "u",
    "ү": "u",
    "һ": "h",
    "і": "i",
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "yo",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
}
LATIN_2021 = {
    **PASSPORT,
    "ә": "ä",
    "ғ": "ğ",
    "қ": "q",
    "ң": "ñ",
    "ө": "ö",
    "ұ": "ū",
    "ү": "ü",
    "і": "ı",
    "ж": "j",
    "ш": "ş",
    "ч": "ç",
    "й": "i",
    "х": "h",
    "у": "u",
}
BY_EAR = {**PASSPORT, "ж": "j", "х": "h", "й": "y", "ы": "i", "ю": "iu", "я": "ia", "в": "w"}
ARABIC = {
    "а": "ا",
    "ә": "ا",
    "б": "ب",
    "в": "ف",
    "г": "غ",
    "ғ": "غ",
    "д": "د",
    "е": "ي",
    "ё": "يو",
    "ж": "ج",
    "з": "ز",
    "и": "ي",
    "й": "ي",
    "к": "ك",
    "қ": "ق",
    "л": "ل",
    "м": "م",
    "н": "ن",
    "ң": "نغ",
    "о": "و",
    "ө": "و",
    "п": "ب",
    "р": "ر",
    "с": "س",
    "т": "ت",
    "у": "و",
    "ұ": "و",
    "ү": "و",
    "ф": "ف",
    "х": "خ",
    "һ": "ه",
    "ц": "تس",
    "ч": "تش",
    "ш": "ش",
    "щ": "شتش",
    "ъ": "",
    "ы": "ي",
    "і": "ي",
    "ь": "",
    "э": "ا",
    "ю": "يو",
    "я": "يا",
}
SHORT_VOWELS = set("аәеиіыөұү")


def russian(name: str) -> str:
    return name.translate(RUSSIAN)


def romanised(table: dict[str, str]) -> Callable[[str], str]:
    def write(name: str) -> str:
        text = "".join(table.get(char, char) for char in name.lower())
        if table is not LATIN_2021 and name[0].lower() == "е":
            text = "y" + text  # Ерлан → Yerlan, as passports write it
        return text[:1].upper() + text[1:]

    return write


def arabic_by_ear(rng: random.Random) -> Callable[[str], str]:
    """An Arabic clerk's spelling: consonants, long vowels, short ones often left out."""

    def write(name: str) -> str:
        chars = name.lower()
        out = ["ا" if chars[0] in SHORT_VOWELS | set("аоу") else ""]
        for i, char in enumerate(chars):
            inner = 0 < i < len(chars) - 1
            if inner and char in SHORT_VOWELS and rng.random() < 0.5:
                continue
            out.append(ARABIC.get(char, ""))
        return "".join(out).replace("اا", "ا")

    return write


def slip(rng: random.Random, text: str) -> str:
    """A slip of the pen: a letter doubled or dropped, inside the word."""
    if len(text) < 5:
        return text
    i = rng.randrange(2, len(text) - 1)
    return text[:i] + text[i] + text[i:] if rng.random() < 0.5 else text[:i] + text[i + 1 :]


def writers(rng: random.Random) -> dict[str, Callable[[str], str]]:
    return {
        "kk": lambda name: name,
        "ru": russian,
        "passport": romanised(PASSPORT),
        "latin2021": romanised(LATIN_2021),
        "by_ear": romanised(BY_EAR),
        "arabic": arabic_by_ear(rng),
    }


def feminine(family: str) -> str:
    return family + "а"


def birth(rng: random.Random) -> date:
    return date(2010, 1, 1) + timedelta(days=rng.randrange(13 * 365))


def recorded(rng: random.Random, born: date, known: bool = False) -> tuple[str, str]:
    """The birth date as one hand records it: exact, to the month, the year, an estimate (a year
    off at most), or not at all; `known`: at least to the year."""
    weights = (5, 1, 3, 0, 0) if known else (5, 1, 3, 1, 1)
    kind = rng.choices(("exact", "month", "year", "estimated", ""), weights)[0]
    if kind == "":
        return "", ""
    if kind == "estimated":
        return date(born.year + rng.choice((-1, 0, 1)), 1, 1).isoformat(), kind
    value = {"exact": born, "month": born.replace(day=1), "year": born.replace(month=1, day=1)}
    return value[kind].isoformat(), kind


def people(rng: random.Random) -> Iterator[tuple[str, str, str]]:
    """Children: a Kazakh given name, a family name in the form for the child's sex."""
    female = [n[0] for n in GIVEN_FEMALE] + MORE_FEMALE
    male = [n[0] for n in GIVEN_MALE] + MORE_MALE
    families = [n[0] for n in FAMILIES] + MORE_FAMILIES
    while True:
        sex = rng.choice(("female", "male"))
        given = rng.choice(female if sex == "female" else male)
        family = rng.choice(families)
        yield given, feminine(family) if sex == "female" else family, sex


def written(
    rng: random.Random, hands: dict[str, Callable[[str], str]], given: str, family: str, hand: str
) -> tuple[str, str]:
    given, family = hands[hand](given), hands[hand](family)
    if hand not in ("kk", "arabic") and rng.random() < 0.15:
        family = slip(rng, family)
    return given, family


def positive(
    rng: random.Random, hands: dict[str, Callable[[str], str]], person: tuple[str, str, str]
) -> list[str]:
    given, family, sex = person
    first, second = rng.sample(list(hands), 2)
    born = birth(rng)
    return [
        "same",
        f"{first}/{second}",
        *written(rng, hands, given, family, first),
        sex,
        *recorded(rng, born),
        *written(rng, hands, given, family, second),
        rng.choice((sex, "")),
        *recorded(rng, born),
    ]


def pair_of(
    rng: random.Random,
    hands: dict[str, Callable[[str], str]],
    kind: str,
    a: tuple[str, str],
    b: tuple[str, str],
    sex: str,
    born: tuple[date, date],
) -> list[str]:
    first, second = rng.sample(list(hands), 2)
    return [
        "different",
        f"{kind}:{first}/{second}",
        *written(rng, hands, *a, first),
        sex,
        *recorded(rng, born[0], known=True),
        *written(rng, hands, *b, second),
        sex,
        *recorded(rng, born[1], known=True),
    ]


def rows(rng: random.Random) -> Iterator[list[str]]:
    hands = writers(rng)
    children = people(rng)
    for _ in range(POSITIVES):
        yield positive(rng, hands, next(children))
    for _ in range(SIBLINGS):  # one family, two children born at least a year apart
        given, family, sex = next(children)
        other, _, _ = next(child for child in children if child[2] == sex and child[0] != given)
        born = birth(rng)
        later = born + timedelta(days=rng.randrange(400, 2000))
        yield pair_of(rng, hands, "sibling", (given, family), (other, family), sex, (born, later))
    for _ in range(NAMESAKES):  # one name, two children born years apart
        given, family, sex = next(children)
        born = birth(rng)
        yield pair_of(
            rng,
            hands,
            "namesake",
            (given, family),
            (given, family),
            sex,
            (born, born + timedelta(days=rng.randrange(3 * 365, 8 * 365))),
        )
    for i in range(LOOKALIKES):  # names a letter or two apart, born the same year
        yield lookalike(rng, hands, i)
    yield from HARD_CASES


def lookalike(rng: random.Random, hands: dict[str, Callable[[str], str]], i: int) -> list[str]:
    born = birth(rng)
    sex = rng.choice(("female", "male"))
    if i % 2:
        given_a, given_b = rng.choice(LOOKALIKE_GIVEN)
        family = rng.choice([n[0] for n in FAMILIES])
        names = (given_a, family), (given_b, family)
    else:
        family_a, family_b = rng.choice(LOOKALIKE_FAMILIES)
        given = rng.choice([n[0] for n in GIVEN_MALE])
        names, sex = ((given, family_a), (given, family_b)), "male"
    return pair_of(rng, hands, "lookalike", *names, sex, (born, born))


def main() -> None:
    """Write the labelled pairs."""
    OUT.parent.mkdir(exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows(rows(random.Random(SEED)))


if __name__ == "__main__":
    main()
