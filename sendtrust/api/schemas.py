import datetime as dt
from typing import Annotated
from uuid import UUID

from ninja import Field, Schema
from pydantic import AfterValidator


class ComparatorOut(Schema):
    label: str  # "England, state-funded primary, January 2019", or why there is none
    available: bool
    sen_support_rate: float | None
    ehcp_rate: float | None
    source: str


class SchoolOut(Schema):
    code: UUID
    urn: str
    name: str
    phase: str
    type: str
    la_code: str
    la_name: str
    trust_code: UUID
    pupils: int | None
    sen_support: int | None
    ehcp: int | None
    sen_support_rate: float | None
    ehcp_rate: float | None
    suppressed: bool
    # figure -> why it is null: "primary" (a count from 1 to 4), "secondary" (withheld to
    # protect one), "rate" (computed from a withheld count), "missing".
    withheld: dict[str, str]
    national: ComparatorOut | None
    la: ComparatorOut | None


def _comparator_out(c) -> ComparatorOut | None:
    if c is None:
        return None
    return ComparatorOut(label=c.label, available=c.available, source=c.source,
                         sen_support_rate=c.sen_support_rate, ehcp_rate=c.ehcp_rate)


def school_out(school, f) -> SchoolOut:
    """A school with its figures from `analytics.figures.school_rates`, as the viewer sees them."""
    values, withheld = {}, {}
    for key in ("pupils", "sen_support", "ehcp", "sen_support_rate", "ehcp_rate"):
        v = getattr(f, key)
        if v is not None and not isinstance(v, int | float):
            withheld[key] = getattr(v, "reason", "missing")
            v = None
        values[key] = v
    return SchoolOut(
        code=school.code, urn=school.urn, name=school.name, phase=school.phase,
        type=school.type, la_code=school.la_code, la_name=school.la_name,
        trust_code=school.trust.code, suppressed=bool(withheld), withheld=withheld,
        national=_comparator_out(f.compare and f.compare.national),
        la=_comparator_out(f.compare and f.compare.la), **values,
    )


class NeedOut(Schema):
    code: str
    label: str


class PupilOut(Schema):
    code: UUID
    upn: str
    forename: str
    surname: str
    year_group: int
    school_code: UUID = Field(..., alias="school.code")
    sen_provision: str
    primary_need: str | None = Field(None, alias="primary_need.code")


class EpisodeOut(Schema):
    provision: str
    primary_need: NeedOut | None
    secondary_need: NeedOut | None
    starts_on: dt.date
    ends_on: dt.date | None


class PupilDetailOut(PupilOut):
    date_of_birth: dt.date
    sex: str
    fsm: bool
    pupil_premium: bool
    eal: bool
    looked_after: bool
    history: list[EpisodeOut]


class ErrorOut(Schema):
    detail: str


# Input types for the API's writes, so that every value the database would refuse is refused
# here with a 422 naming the field (SQLite stores what PostgreSQL will not: a string longer
# than its column, a NUL character, an integer out of range).


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain a NUL character")
    return value


# A TextField: any length (the request size is bounded by Django), never a NUL.
Text = Annotated[str, AfterValidator(_no_nul)]


def Line(max_length: int):  # noqa: N802 - used as a type: Line(200)
    """A CharField(max_length=...) of the model the value is saved in."""
    return Annotated[str, Field(max_length=max_length), AfterValidator(_no_nul)]


# A PositiveIntegerField (a version number): PostgreSQL's integer range.
Version = Annotated[int, Field(ge=0, le=2_147_483_647)]
