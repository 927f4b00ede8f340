import datetime as dt
from uuid import UUID

from ninja import Field, Schema


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
    suppressed: bool


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
