"""Pure pieces of the demo build: dates, weighted draws, UPNs and the in-memory plan."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sendtrust.demo import data
from sendtrust.lib.upn import make_upn
from sendtrust.organisations.models import (
    School,
    Trust,
)

TAXONOMY = "england-census"
# Rows per INSERT batch. bulk_create splits each batch further to stay under the database's
# limit on query parameters (999 on older SQLite builds); executemany has no such limit.
BATCH = 5000
# Days between two changes of SEN status in a pupil's history, at least.
MIN_GAP = 60
SOURCE = "demo"


# --- What a build returns ---


@dataclass(frozen=True)
class Account:
    role: str
    username: str
    password: str
    school_urn: str
    name: str


@dataclass
class SchoolStats:
    school: School
    kind: str  # primary, secondary, special or ap
    pupils: int = 0
    sen_support: int = 0
    ehcp: int = 0
    # How much more (or less) than the national rate this school identifies SEN support.
    k_factor: float = 1.0

    @property
    def sen_support_rate(self) -> float:
        return self.sen_support / self.pupils if self.pupils else 0.0

    @property
    def ehcp_rate(self) -> float:
        return self.ehcp / self.pupils if self.pupils else 0.0


@dataclass(frozen=True)
class Outlier:
    school: School
    direction: str  # "over" or "under"
    factor: float


@dataclass
class DemoResult:
    trust: Trust
    schools: list[SchoolStats]
    accounts: list[Account]
    outliers: list[Outlier]
    pupils: int
    seconds: float
    username_suffix: str = ""

    @property
    def sen_support(self) -> int:
        return sum(s.sen_support for s in self.schools)

    @property
    def ehcp(self) -> int:
        return sum(s.ehcp for s in self.schools)



# --- Dates ---


def academic_year(on: dt.date) -> int:
    """Return the year the school year containing `on` began (it starts on 1 September)."""
    return on.year if on.month >= 9 else on.year - 1


def term_start(year: int) -> dt.date:
    """Return the first weekday on or after 1 September of `year`."""
    day = dt.date(year, 9, 1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def birth_range(year_group: int, school_year: int) -> tuple[dt.date, dt.date]:
    """Return the first and last birthdays of a year group (cut-off 1 September, England)."""
    born = school_year - 5 - year_group
    return dt.date(born, 9, 1), dt.date(born + 1, 8, 31)


# --- Drawing from weighted lists ---


class _Mix:
    """A weighted choice, with the cumulative weights worked out once."""

    def __init__(self, weights: dict[str, float]):
        self.items = list(weights)
        self.cum = []
        total = 0.0
        for w in weights.values():
            total += w
            self.cum.append(total)

    def draw(self, rng: random.Random, exclude: set[str] | frozenset = frozenset()) -> str:
        for _ in range(100):
            item = rng.choices(self.items, cum_weights=self.cum)[0]
            if item not in exclude:
                return item
        raise ValueError(f"nothing left to draw outside {sorted(exclude)}")


MIXES = {key: _Mix(weights) for key, weights in data.NEED_MIX.items()}
HISTORY = {p: _Mix({",".join(path): w for path, w in paths}) for p, paths in data.HISTORY.items()}


class _UpnAllocator:
    """Hand out unique UPNs: LA + establishment + allocation year + serial.

    Establishment numbers already used by any pupil's UPN are never reused, so a second demo
    trust in the same database cannot collide with the first.
    """

    def __init__(self, rng: random.Random, used_prefixes: set[str]):
        self.rng = rng
        self.used = used_prefixes
        self.serials: dict[tuple[int, int, int], int] = {}

    def reserve(self, la: int, low: int, high: int) -> int:
        for _ in range(10_000):
            estab = self.rng.randint(low, high)
            prefix = f"{la:03d}{estab:04d}"
            if prefix not in self.used:
                self.used.add(prefix)
                return estab
        raise RuntimeError(f"no free establishment number in {low}-{high} for LA {la}")

    def allocate(self, la: int, estabs: list[int], year: int, first: int = 0) -> str:
        """Return a new UPN from the estabs, trying them from `first` on; add one if all full."""
        n = len(estabs)
        for k in range(n):
            estab = estabs[(first + k) % n]
            key = (la, estab, year % 100)
            serial = self.serials.get(key, 0) + 1
            if serial <= 999:
                self.serials[key] = serial
                return make_upn(la, estab, year, serial)
        # Another primary, outside the trust, allocated the rest (as for many secondary pupils).
        estabs.append(self.reserve(la, 2000, 3999))
        return self.allocate(la, estabs, year, n)


# --- The plan held in memory before the bulk inserts ---


@dataclass
class _SchoolPlan:
    school: School
    kind: str
    la_eal: float
    la_fsm: float
    years: list[int]
    upn_estabs: list[int]
    k_factor: float = 1.0
    fsm_factor: float = 1.0
    eal_factor: float = 1.0
    stats: SchoolStats | None = None
    senco: object = None


@dataclass
class _Episode:
    provision: str
    primary: str | None
    secondary: str | None
    starts_on: dt.date
    # The need behind the code: differs from `primary` while a new code did not yet exist.
    story: str | None = None


@dataclass
class _PupilPlan:
    pupil: dict  # Pupil's own fields; the rest is filled in when saved
    home: _SchoolPlan  # the current school
    enrolments: list[tuple[_SchoolPlan, dt.date]]
    episodes: list[_Episode]
    idents: list[tuple[int, dt.date, str, str]] = field(default_factory=list)
    pk: int | None = None

    @property
    def provision(self) -> str:
        return self.episodes[-1].provision


@dataclass
class _Group:
    school: _SchoolPlan
    year_group: int
    name: str
    pupils: list[_PupilPlan]
    staff: list = field(default_factory=list)


def _ends(starts: list[dt.date]) -> list[dt.date | None]:
    """Return when each span ends: the day before the next one starts; the last is open."""
    return [nxt - dt.timedelta(days=1) for nxt in starts[1:]] + [None]


def _share(total: int, weights: list[float]) -> list[int]:
    """Split total into whole parts proportional to weights (largest remainder), each >= 1."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [max(1, int(x)) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - int(exact[i]), reverse=True)
    i = 0
    while sum(parts) < total:
        parts[order[i % len(order)]] += 1
        i += 1
    while sum(parts) > total:
        j = max(range(len(parts)), key=lambda k: parts[k])
        parts[j] -= 1
    return parts


def _cohort_weight(kind: str, year_group: int) -> float:
    """Relative size of a year group: small sixth forms, AP mostly at key stage 4."""
    if kind == "ap":
        return {7: 0.3, 8: 0.5, 9: 0.9, 10: 1.4, 11: 1.9}[year_group]
    if kind == "special":
        return 0.5 + year_group / 13 * 0.7
    return 0.55 if year_group >= 12 else 1.0


def _account_bases(n_schools: int) -> list[str]:
    return [
        "send_leader",
        "executive",
        "trustee",
        "headteacher",
        "senco",
        "teacher",
        "ta",
        "parent",
        "external",
        *(f"senco{i}" for i in range(2, n_schools + 1)),
    ]


def _adult_name(rng: random.Random) -> str:
    return f"{rng.choice(data.ADULT_FIRST)} {rng.choice(data.SURNAMES)}"


def _reason(need: str | None) -> str:
    return {
        "SLCN": "Speech and language assessment",
        "ASD": "Autism outreach advice",
        "SEMH": "Mental health support team consultation",
        "HI": "Hearing support review",
        "VI": "Vision support review",
        "PD": "Occupational therapy assessment",
    }.get(need or "", "Educational psychology assessment")
