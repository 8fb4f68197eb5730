"""Names of children and their families as caseworkers record them: Cyrillic, Latin, Arabic."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from workflow.sealing import name_tokens
from workflow.vocabulary import Script

# (Kazakh Cyrillic, Latin transliteration, Arabic) for each name.
GIVEN_FEMALE = [
    ("Әлия", "Aliya", "عالية"),
    ("Айгерім", "Aigerim", "أيغريم"),
    ("Фатима", "Fatima", "فاطمة"),
    ("Мариям", "Mariyam", "مريم"),
    ("Аиша", "Aisha", "عائشة"),
    ("Зейнеп", "Zeynep", "زينب"),
    ("Амина", "Amina", "أمينة"),
    ("Сара", "Sara", "سارة"),
    ("Хадиша", "Khadisha", "خديجة"),
    ("Жанар", "Zhanar", "جنار"),
    ("Гүлнар", "Gulnar", "غولنار"),
    ("Сәуле", "Saule", "ساوله"),
    ("Дана", "Dana", "دانة"),
    ("Малика", "Malika", "مليكة"),
    ("Әсел", "Asel", "أسيل"),
    ("Нұрай", "Nurai", "نوراي"),
    ("Ясмин", "Yasmin", "ياسمين"),
    ("Хауа", "Khaua", "حواء"),
    ("Руқия", "Rukiya", "رقية"),
    ("Сәмира", "Samira", "سميرة"),
]
GIVEN_MALE = [
    ("Ахмед", "Akhmed", "أحمد"),
    ("Омар", "Omar", "عمر"),
    ("Әли", "Ali", "علي"),
    ("Юсуф", "Yusuf", "يوسف"),
    ("Ибраһим", "Ibrahim", "إبراهيم"),
    ("Мұхаммед", "Mukhammed", "محمد"),
    ("Хамза", "Khamza", "حمزة"),
    ("Ерлан", "Yerlan", "يرلان"),
    ("Дәулет", "Daulet", "داولت"),
    ("Нұрлан", "Nurlan", "نورلان"),
    ("Абдулла", "Abdulla", "عبد الله"),
    ("Біләл", "Bilal", "بلال"),
    ("Сұлтан", "Sultan", "سلطان"),
    ("Темір", "Temir", "تيمور"),
    ("Мұрат", "Murat", "مراد"),
    ("Исмаил", "Ismail", "إسماعيل"),
    ("Халид", "Khalid", "خالد"),
    ("Әмір", "Amir", "أمير"),
    ("Айдар", "Aidar", "آيدار"),
    ("Санжар", "Sanzhar", "سنجر"),
]
# Family names in their masculine form; the feminine adds -а / -a / ـا.
FAMILIES = [
    ("Нұрғалиев", "Nurgaliev", "نورغالييف"),
    ("Ахметов", "Akhmetov", "أحمدوف"),
    ("Сейітқалиев", "Seitkaliev", "سيتقالييف"),
    ("Жұмабаев", "Zhumabaev", "جومابايف"),
    ("Омаров", "Omarov", "عمروف"),
    ("Исаев", "Isaev", "عيسايف"),
    ("Тоқтаров", "Toktarov", "توقتاروف"),
    ("Қасымов", "Kasymov", "قاسموف"),
    ("Әбілов", "Abilov", "عابلوف"),
    ("Серікбаев", "Serikbaev", "سريكبايف"),
    ("Мұхамедов", "Mukhamedov", "محمدوف"),
    ("Байжанов", "Baizhanov", "بايجانوف"),
    ("Ермеков", "Yermekov", "يرمكوف"),
    ("Құрманов", "Kurmanov", "قورمانوف"),
    ("Сұлтанов", "Sultanov", "سلطانوف"),
    ("Әлиев", "Aliev", "علييف"),
    ("Досжанов", "Doszhanov", "دوسجانوف"),
    ("Жақсылықов", "Zhaksylykov", "جاقسيليقوف"),
    ("Оспанов", "Ospanov", "عثمانوف"),
    ("Рахимов", "Rakhimov", "رحيموف"),
    ("Тұрсынов", "Tursynov", "تورسينوف"),
    ("Бекмұхамбетов", "Bekmukhambetov", "بكمحمدوف"),
    ("Сағындықов", "Sagyndykov", "ساغينديقوف"),
    ("Кәрімов", "Karimov", "كريموف"),
]
SCRIPTS = (Script.CYRILLIC, Script.LATIN, Script.ARABIC)


@dataclass(frozen=True)
class Name:
    """One name of one person, in one script."""

    script: Script
    given: str
    family: str

    @property
    def search_key(self) -> str:
        return _key(self.given, self.family)


@cache
def _key(given: str, family: str) -> str:
    return name_tokens(given, None, family)


def family_name(family: tuple[str, str, str], female: bool) -> tuple[str, str, str]:
    """The family name in the form that agrees with the person's sex."""
    if not female:
        return family
    cyrillic, latin, arabic = family
    return cyrillic + "а", latin + "a", arabic + "ا"


def names_in(given: tuple[str, str, str], family: tuple[str, str, str], scripts: int) -> list[Name]:
    """The person's name in the first `scripts` of Cyrillic, Latin and Arabic."""
    return [Name(SCRIPTS[i], given[i], family[i]) for i in range(scripts)]


def child_names(rng: random.Random, female: bool, family: tuple[str, str, str]) -> list[Name]:
    """A child's names: most are recorded in all three scripts, some in fewer."""
    given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
    scripts = rng.choices((3, 2, 1), weights=(7, 2, 1))[0]
    return names_in(given, family_name(family, female), scripts)


def woman_names(rng: random.Random, family: tuple[str, str, str], scripts: int) -> list[Name]:
    """A mother's or grandmother's names."""
    return names_in(rng.choice(GIVEN_FEMALE), family_name(family, True), scripts)
