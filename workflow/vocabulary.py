"""The fixed words of the domain, stored by their values: roles, agency kinds, scripts, dates."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    LAWYER = "lawyer"
    OFFICIAL = "official"
    AUDITOR = "auditor"
    ADMIN = "admin"


class AgencyKind(StrEnum):
    NGO = "ngo"
    CIVIL_REGISTRY = "civil_registry"
    COURT = "court"
    FORENSIC_LAB = "forensic_lab"
    GUARDIANSHIP_AUTHORITY = "guardianship_authority"
    CITIZENSHIP_AUTHORITY = "citizenship_authority"
    OMBUDSMAN = "ombudsman"
    PROSECUTOR = "prosecutor"
    OPERATOR = "operator"


class Script(StrEnum):
    """ISO 15924 codes of the scripts names are recorded in."""

    LATIN = "Latn"
    CYRILLIC = "Cyrl"
    ARABIC = "Arab"


class DatePrecision(StrEnum):
    EXACT = "exact"
    MONTH = "month"
    YEAR = "year"
    ESTIMATED = "estimated"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    UNKNOWN = "unknown"


class Relation(StrEnum):
    CHILD = "child"
    MOTHER = "mother"
    FATHER = "father"
    GRANDMOTHER = "grandmother"
    GRANDFATHER = "grandfather"
    SIBLING = "sibling"
    AUNT = "aunt"
    UNCLE = "uncle"
    OTHER_RELATIVE = "other_relative"
    PROPOSED_GUARDIAN = "proposed_guardian"


class Whereabouts(StrEnum):
    IN_COUNTRY = "in_country"
    DETAINED_ABROAD = "detained_abroad"
    CAMP_ABROAD = "camp_abroad"
    DECEASED = "deceased"
    UNKNOWN = "unknown"


class CaseStatus(StrEnum):
    OPEN = "open"
    COMPLETE = "complete"
    CLOSED = "closed"


class ClosureReason(StrEnum):
    WITHDRAWN = "withdrawn"
    TRANSFERRED = "transferred"
    CHILD_DECEASED = "child_deceased"


class EvidenceKind(StrEnum):
    CONSENT = "consent"
    LAB_REPORT = "lab_report"
    FOREIGN_LAB_REPORT = "foreign_lab_report"  # a kinship report from a laboratory abroad
    COURT_ORDER = "court_order"
    ASSESSMENT_REPORT = "assessment_report"
    IDENTITY_RECORD = "identity_record"
    OTHER = "other"


class Legalisation(StrEnum):
    """How a foreign document was made valid abroad: not at all, by consular legalisation, or by
    an apostille (Hague Convention of 1961)."""

    NONE = "none"
    LEGALISED = "legalised"
    APOSTILLE = "apostille"


class ConsentPurpose(StrEnum):
    DNA_TESTING = "dna_testing"
    DATA_SHARING = "data_sharing"
    PHOTOGRAPHS = "photographs"
    REPATRIATION = "repatriation"
    MEDIA_CONTACT = "media_contact"


class Language(StrEnum):
    """The languages the pages and the mail are written in."""

    EN = "en"
    RU = "ru"
    KK = "kk"


class ReminderKind(StrEnum):
    QUEUED = "queued"  # a case has just reached the recipient's queue
    DIGEST = "digest"  # the daily list of what waits on the recipient


class ReminderStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt
    DROPPED = "dropped"  # the recipient has no address any more, or turned reminders off


class ReferenceIssuer(StrEnum):
    """Who issued an identifier a case is also known by outside Homeward."""

    ICRC = "icrc"  # the International Committee of the Red Cross's tracing number
    UNHCR = "unhcr"  # a UNHCR registration or case number
    CAMP = "camp"  # a camp administration's registration number (al-Hol, Roj, …)
    REPATRIATION_LIST = "repatriation_list"  # the row of a repatriation operation's list


class ParticularsBasis(StrEnum):
    """What a registered name or birth date rests on."""

    DOCUMENTS = "documents"
    AGE_ASSESSMENT = "age_assessment"
    COURT_RULING = "court_ruling"


class ParticularsStanding(StrEnum):
    """Where one version of the registered particulars stands."""

    CURRENT = "current"  # what is, or is to be, registered now
    PROPOSED = "proposed"  # an amendment the civil registry has yet to decide
    SUPERSEDED = "superseded"  # an earlier version, replaced by a later one
    REFUSED = "refused"  # an amendment the civil registry refused
