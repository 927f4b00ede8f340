"""The census columns we read and write, and how each cell is parsed and written back.

Accepted headers (matched ignoring case, spaces, underscores and hyphens; any other column is
ignored and listed back to the user):

| column        | required | also accepted                    | values                             |
|---------------|----------|----------------------------------|------------------------------------|
| UPN           | yes      | UniquePupilNumber                | 13 characters, valid check letter  |
| Surname       | yes      | LegalSurname, FamilyName         | up to 100 characters               |
| Forename      | yes      | LegalForename, FirstName         | up to 100 characters               |
| DOB           | yes      | DateOfBirth                      | DD/MM/YYYY or YYYY-MM-DD           |
| Gender        | yes      | Sex                              | M or F (Male, Female)              |
| NCyearActual  | yes      | NCyear, YearGroup                | N1, N2, R (or 0), 1 to 14          |
| SENprovision  | yes      |                                  | N, K or E (never blank)            |
| SENtype1      | no       | SENtypeRank1, PrimaryNeed        | a need code of the taxonomy        |
| SENtype2      | no       | SENtypeRank2, SecondaryNeed      | a need code of the taxonomy        |
| FSMeligible   | no       | FSM                              | true/false, 1/0, Y/N, yes/no       |
| PupilPremium  | no       |                                  | as above                           |
| EAL           | no       |                                  | as above                           |
| LookedAfter   | no       | InCare, CLA                      | as above                           |

A blank flag cell means false. When a flag column is missing altogether, a new pupil gets
false and an existing pupil keeps the value already held.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sendtrust.lib.upn import clean_upn, upn_error

NAME_MAX = 100  # Pupil.forename and Pupil.surname


@dataclass(frozen=True)
class Column:
    name: str  # the census field name, as exported
    key: str  # where the parsed value goes
    required: bool
    aliases: tuple[str, ...] = ()


COLUMNS = (
    Column("UPN", "upn", True, ("UniquePupilNumber",)),
    Column("Surname", "surname", True, ("LegalSurname", "FamilyName")),
    Column("Forename", "forename", True, ("LegalForename", "FirstName")),
    Column("DOB", "date_of_birth", True, ("DateOfBirth",)),
    Column("Gender", "sex", True, ("Sex",)),
    Column("NCyearActual", "year_group", True, ("NCyear", "YearGroup")),
    Column("SENprovision", "provision", True),
    Column("SENtype1", "primary", False, ("SENtypeRank1", "PrimaryNeed")),
    Column("SENtype2", "secondary", False, ("SENtypeRank2", "SecondaryNeed")),
    Column("FSMeligible", "fsm", False, ("FSM",)),
    Column("PupilPremium", "pupil_premium", False),
    Column("EAL", "eal", False),
    Column("LookedAfter", "looked_after", False, ("InCare", "CLA")),
)
HEADERS = [c.name for c in COLUMNS]
FLAG_KEYS = ("fsm", "pupil_premium", "eal", "looked_after")


def normalise_header(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(text or "")).lower()


_BY_HEADER = {normalise_header(a): c for c in COLUMNS for a in (c.name, *c.aliases)}


def match_header(text: str) -> Column | None:
    """Return the census column a header cell names, or None when we do not read it."""
    return _BY_HEADER.get(normalise_header(text))


class CellError(ValueError):
    """A cell's value is not acceptable; the message completes "Row n, Field "value": ..."."""


# Cell parsers: each takes the stripped text of a cell and returns the value or raises
# CellError. The import calls each once per distinct text of a column.


def parse_upn(text: str) -> str:
    # Most cells hold the UPN as it should be written; only others need tidying first.
    upn = text if len(text) == 13 and text.isalnum() and text.isupper() else clean_upn(text)
    if not upn:
        raise CellError("a UPN is required")
    message = upn_error(upn)
    if message:
        raise CellError(message)
    return upn


# A spreadsheet exported by us has its formula-like cells prefixed with an apostrophe (see
# csv_safe); reading such a cell back drops the apostrophe so that a round trip is exact.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def parse_name(text: str) -> str:
    if not text:
        raise CellError("a name is required")
    if text[0] == "'" and text[1:2] and text[1] in _FORMULA_START:
        text = text[1:]
    if len(text) > NAME_MAX:
        raise CellError(f"a name has at most {NAME_MAX} characters")
    return text


_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z", re.ASCII)
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})\Z", re.ASCII)


def parse_date(text: str) -> dt.date:
    if m := _ISO.match(text):
        y, mo, d = m.groups()
    elif m := _DMY.match(text):
        d, mo, y = m.groups()
    else:
        raise CellError("write dates as DD/MM/YYYY or YYYY-MM-DD" if text else "a date is required")
    try:
        return dt.date(int(y), int(mo), int(d))
    except ValueError:
        raise CellError("there is no such date") from None


_SEXES = {"M": "M", "F": "F", "MALE": "M", "FEMALE": "F"}


def parse_sex(text: str) -> str:
    try:
        return _SEXES[text.upper()]
    except KeyError:
        raise CellError("use M or F") from None


# National curriculum year: nursery years N1 and N2 are stored as -2 and -1, reception as 0.
_YEARS = {"N1": -2, "N2": -1, "R": 0, **{str(n): n for n in range(15)}}
_YEAR_NAMES = {-2: "N1", -1: "N2", 0: "R"}


def parse_year(text: str) -> int:
    try:
        return _YEARS[text.upper().lstrip("0") or "0"]  # "04" is 4
    except KeyError:
        raise CellError("use N1, N2, R or a year from 1 to 14") from None


def format_year(year: int) -> str:
    return _YEAR_NAMES.get(year, str(year))


_PROVISIONS = ("N", "K", "E")  # pupils.models.Provision; this module needs no Django


def parse_provision(text: str) -> str:
    provision = text.upper()
    if provision not in _PROVISIONS:
        raise CellError("use N (no SEN), K (SEN support) or E (EHC plan)")
    return provision


_FLAGS = {
    "": False, "0": False, "1": True, "N": False, "Y": True, "NO": False, "YES": True,
    "FALSE": False, "TRUE": True, "F": False, "T": True,
}


def parse_flag(text: str) -> bool:
    try:
        return _FLAGS[text.upper()]
    except KeyError:
        raise CellError("use true or false (or Y/N, 1/0)") from None


def format_flag(value: bool) -> str:
    return "true" if value else "false"


def csv_safe(value: str) -> str:
    """Neutralise a cell that a spreadsheet would run as a formula (= + - @, tab, CR)."""
    if value and value[0] in _FORMULA_START:
        return "'" + value
    return value


def cell_text(value) -> str:
    """Return a spreadsheet cell's value as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return format_flag(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
