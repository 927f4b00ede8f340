"""Build a realistic synthetic trust (schools, pupils, SEN history, staff, one account per role).

Everything is invented: names come from made-up lists, UPNs are synthetic but valid. The same
seed gives the same data (one `random.Random(seed)`, never the global generator) on the same
day against the same database: new URNs and UPN prefixes avoid the ones already in use.

Speed: the whole trust is built in memory, then written with large bulk inserts inside one
transaction (50,000 pupils take seconds on SQLite). Bulk inserts bypass `pupils.services`, so
this module keeps the same invariants itself: one open enrolment and one open SEN episode per
pupil, episodes that never overlap, the pupil's `school`, `sen_provision` and `primary_need`
copied from the open enrolment and episode, and needs that pass `check_status`.

Usernames: the demo accounts are `send_leader`, `executive`, `trustee`, `headteacher`, `senco`,
`teacher`, `ta`, `parent`, `external` and `senco2`... for the other schools. When any of them
is taken (a second demo trust in the same database), every account of the new trust gets the
first free suffix `-t2`, `-t3`, ...: `senco-t2`. Other staff get `staff.<urn>.<n>` and an
unusable password.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Substr
from django.utils import timezone
from tqdm import tqdm

from sendtrust.access.audit import log_action
from sendtrust.demo import data
from sendtrust.lib.bulk import insert_rows
from sendtrust.lib.upn import make_upn
from sendtrust.organisations.models import (
    ExternalAssignment,
    Membership,
    ParentLink,
    Role,
    School,
    TeachingGroup,
    Trust,
)
from sendtrust.pupils.models import (
    Enrolment,
    Identification,
    NeedType,
    Provision,
    Pupil,
    SenEpisode,
)

TAXONOMY = "england-census"
# Rows per INSERT batch. bulk_create splits each batch further to stay under the database's
# limit on query parameters (999 on older SQLite builds); executemany has no such limit.
BATCH = 5000
# Days between two changes of SEN status in a pupil's history, at least.
MIN_GAP = 60
SOURCE = "demo"


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


def build_demo_trust(
    *,
    schools: int,
    pupils: int,
    seed: int,
    password: str,
    trust_name: str | None = None,
    progress: bool = False,
    on: dt.date | None = None,
) -> DemoResult:
    """Build a synthetic trust of `schools` schools and `pupils` pupils; return what was made.

    `on` is the day the trust is built as of (today by default): year groups, histories and the
    external professional's assignment are all relative to it.
    """
    if schools < 1:
        raise ValueError("a trust needs at least one school")
    if pupils < schools:
        raise ValueError("give at least one pupil per school")
    if not password:
        raise ValueError("the demo accounts need a password")
    started = time.perf_counter()
    builder = _Builder(random.Random(seed), on or timezone.localdate(), progress)
    with transaction.atomic():
        result = builder.build(schools, pupils, password, trust_name)
    result.seconds = time.perf_counter() - started
    return result


def write_accounts_csv(path: str | Path, accounts: list[Account]) -> Path:
    """Write the accounts as CSV (role,username,password,school_urn); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["role", "username", "password", "school_urn"])
        for a in accounts:
            writer.writerow([a.role, a.username, a.password, a.school_urn])
    return path


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


class _Builder:
    def __init__(self, rng: random.Random, today: dt.date, progress: bool):
        self.rng = rng
        self.today = today
        self.year = academic_year(today)
        self.progress = progress
        self.needs = {n.code: n for n in NeedType.objects.filter(taxonomy=TAXONOMY)}
        self.valid_from = {c: n.valid_from for c, n in self.needs.items() if n.valid_from}
        self.support_only = {c for c, n in self.needs.items() if n.support_only}
        self.User = get_user_model()
        self.upns = _UpnAllocator(rng, set())
        self.users: list = []
        self.memberships: list[Membership] = []
        self.parent_links: list[tuple] = []
        self.assignments: list[ExternalAssignment] = []
        self.assigned: list[_PupilPlan] = []
        self.demo_ta_groups: set[int] = set()
        self.bar = None

    # -- the whole build --

    def build(
        self, n_schools: int, n_pupils: int, password: str, trust_name: str | None
    ) -> DemoResult:
        rng = self.rng
        name = trust_name or f"{rng.choice(data.TRUST_PLACES)} {rng.choice(data.TRUST_KINDS)}"
        trust = Trust.objects.create(name=name)
        used_prefixes = set(
            Pupil.objects.annotate(prefix=Substr("upn", 2, 7))
            .order_by()
            .values_list("prefix", flat=True)
            .distinct()
        )
        self.upns = _UpnAllocator(rng, used_prefixes)
        plans = self.plan_schools(trust, n_schools)
        self.check_staff_usernames(plans)
        outliers = self.choose_outliers(plans)

        pupils = self.plan_pupils(plans, n_pupils)
        self.plan_moves(plans, pupils)
        for plan in pupils:
            self.add_identifications(plan)
            self.allocate_upn(plan)
        groups = self.plan_groups(plans, pupils)

        hashed = make_password(password)
        suffix = self.free_suffix(len(plans))
        accounts = self.plan_accounts(trust, plans, groups, pupils, password, hashed, suffix)
        self.plan_staff(trust, groups)

        for plan in pupils:
            s = plan.home.stats
            s.pupils += 1
            s.sen_support += plan.provision == Provision.SUPPORT
            s.ehcp += plan.provision == Provision.EHCP
        for p in plans:
            p.school.number_on_roll = p.stats.pupils

        self.save(plans, pupils, groups)
        log_action(
            None,
            "demo.trust.built",
            trust=trust,
            object_repr=trust.name[:200],
            schools=len(plans),
            pupils=len(pupils),
            accounts=len(accounts),
        )
        return DemoResult(
            trust=trust,
            schools=[p.stats for p in plans],
            accounts=accounts,
            outliers=outliers,
            pupils=len(pupils),
            seconds=0.0,
            username_suffix=suffix,
        )

    # -- schools --

    def school_kinds(self, n: int) -> list[str]:
        """Mostly primaries; about one in five secondary; special and AP in larger trusts."""
        secondary = 0 if n == 1 else max(1, round(n * 0.2))
        special = (n >= 8) + (n >= 30)
        ap = int(n >= 12)
        primary = n - secondary - special - ap
        rest = ["primary"] * (primary - 1) + ["secondary"] * secondary
        rest += ["special"] * special + ["ap"] * ap
        self.rng.shuffle(rest)
        return ["primary"] + rest  # the first school (the demo accounts') is a primary

    def plan_schools(self, trust: Trust, n: int) -> list[_SchoolPlan]:
        rng = self.rng
        cluster = rng.choice(data.LA_CLUSTERS)
        n_las = min(len(cluster), 1 if n == 1 else 2 if n <= 8 else 3 if n <= 25 else 4)
        las = cluster[:n_las]
        la_weights = [5, 3, 2, 1][:n_las]
        used_urns = set(School.objects.values_list("urn", flat=True))
        names: set[str] = set()
        plans = []
        for i, kind in enumerate(self.school_kinds(n)):
            la = las[0] if i == 0 else rng.choices(las, weights=la_weights)[0]
            code, la_name, eal, fsm = la
            urn = self.free_urn(used_urns)
            name = self.school_name(kind, names)
            phase, type_ = {
                "primary": (School.Phase.PRIMARY, School.Type.MAINSTREAM),
                "secondary": (School.Phase.SECONDARY, School.Type.MAINSTREAM),
                "special": (School.Phase.ALL_THROUGH, School.Type.SPECIAL),
                "ap": (School.Phase.SECONDARY, School.Type.ALTERNATIVE),
            }[kind]
            if kind == "primary":
                years = list(range(0, 7))
            elif kind == "secondary":
                years = list(range(7, 14 if rng.random() < 0.5 else 12))
            elif kind == "special":
                years = list(range(0, 14))
            else:
                years = list(range(7, 12))
            # UPNs of primary and special pupils come from the school itself; those of
            # secondary and AP pupils from the primaries they came from.
            if kind in ("primary", "special"):
                low, high = (2000, 3999) if kind == "primary" else (7000, 7999)
                estabs = [self.upns.reserve(code, low, high)]
            else:
                estabs = [self.upns.reserve(code, 2000, 3999) for _ in range(6)]
            school = School(
                trust=trust,
                urn=urn,
                name=name,
                phase=phase,
                type=type_,
                la_code=f"{code:03d}",
                la_name=la_name,
            )
            plan = _SchoolPlan(
                school=school,
                kind=kind,
                la_eal=eal,
                la_fsm=fsm,
                years=years,
                upn_estabs=estabs,
                k_factor=min(1.2, max(0.8, rng.gauss(1.0, 0.1))),
                fsm_factor=math.exp(rng.gauss(0, 0.25)),
                eal_factor=math.exp(rng.gauss(0, 0.3)),
            )
            plan.stats = SchoolStats(school=school, kind=kind, k_factor=plan.k_factor)
            plans.append(plan)
        return plans

    def free_urn(self, used: set[str]) -> str:
        # Academy URNs are six digits in this range; any unused one will do.
        for _ in range(100_000):
            urn = str(self.rng.randint(136000, 149999))
            if urn not in used:
                used.add(urn)
                return urn
        raise RuntimeError("no free URN left in 136000-149999")

    def school_name(self, kind: str, taken: set[str]) -> str:
        rng = self.rng
        for _ in range(10_000):
            stem, ending = rng.choice(data.SCHOOL_STEMS), rng.choice(data.SCHOOL_ENDINGS)
            place = stem + ending
            if place not in taken and not ending.startswith(stem[-1]):  # no "Swallowwood"
                taken.add(place)
                return rng.choice(data.SCHOOL_FORMS[kind]).format(place)
        raise RuntimeError("ran out of school names")

    def choose_outliers(self, plans: list[_SchoolPlan]) -> list[Outlier]:
        """Make a few mainstream schools identify far more, or far less, SEN support."""
        mainstream = [p for p in plans if p.kind in ("primary", "secondary")]
        # Prefer primaries other than the demo school, so that the trust's totals stay sane.
        pool = [p for p in mainstream[1:] if p.kind == "primary"]
        if len(pool) < 2:
            pool = mainstream[1:] if len(mainstream) > 2 else mainstream
        if len(pool) < 2:
            return []
        pairs = min(len(pool) // 2, max(1, len(plans) // 20))
        chosen = self.rng.sample(pool, 2 * pairs)
        outliers = []
        for i, plan in enumerate(chosen):
            over = i % 2 == 0
            plan.k_factor = round(
                self.rng.uniform(1.7, 1.9) if over else self.rng.uniform(0.45, 0.55), 2
            )
            plan.stats.k_factor = plan.k_factor
            outliers.append(Outlier(plan.school, "over" if over else "under", plan.k_factor))
        return outliers

    # -- pupils --

    def school_sizes(self, plans: list[_SchoolPlan], total: int) -> list[int]:
        """Split total pupils between schools in proportion to realistic sizes."""
        rng = self.rng
        weights = []
        for p in plans:
            if p.kind == "primary":  # one, one and a half, two or three forms of entry
                forms = rng.choices([1, 1.5, 2, 3], weights=[35, 20, 35, 10])[0]
                weights.append(210 * forms * rng.uniform(0.85, 1.02))
            elif p.kind == "secondary":
                weights.append(rng.uniform(800, 1600) * len(p.years) / 6)
            elif p.kind == "special":
                weights.append(rng.uniform(90, 220))
            else:
                weights.append(rng.uniform(30, 90))
        return _share(total, weights)

    def plan_pupils(self, plans: list[_SchoolPlan], total: int) -> list[_PupilPlan]:
        sizes = self.school_sizes(plans, total)
        pupils: list[_PupilPlan] = []
        bar = tqdm(total=total, desc="Planning pupils", unit="pupil", disable=not self.progress)
        for plan, size in zip(plans, sizes, strict=True):
            weights = [_cohort_weight(plan.kind, y) for y in plan.years]
            for year_group, count in zip(plan.years, _share(size, weights), strict=True):
                for _ in range(count):
                    pupils.append(self.plan_pupil(plan, year_group))
                bar.update(count)
        bar.close()
        return pupils

    def plan_pupil(self, plan: _SchoolPlan, year_group: int) -> _PupilPlan:
        rng = self.rng
        kind = plan.kind
        k_rate, e_rate = data.RATES[kind]
        factor = data.YEAR_FACTOR[year_group] if kind in ("primary", "secondary") else 1.0
        k = k_rate * factor * plan.k_factor
        e = e_rate * factor
        roll = rng.random()
        provision = "E" if roll < e else "K" if roll < e + k else "N"

        if provision == "N":
            boys = (
                data.BOYS_OVERALL - k_rate * data.BOYS_SHARE["K"] - e_rate * data.BOYS_SHARE["E"]
            ) / max(0.01, 1 - k_rate - e_rate)
            boys = min(0.7, max(0.3, boys))
        else:
            boys = data.BOYS_SHARE[provision]
        male = rng.random() < boys
        forename = rng.choice(data.BOYS if male else data.GIRLS)
        low, high = birth_range(year_group, self.year)
        dob = low + dt.timedelta(days=rng.randrange((high - low).days + 1))

        fsm_p = data.FSM[provision] * plan.la_fsm * plan.fsm_factor * (1.3 if kind == "ap" else 1)
        fsm = rng.random() < min(0.9, fsm_p)
        looked_after = rng.random() < data.LOOKED_AFTER[provision]
        eal_p = plan.la_eal * plan.eal_factor * (0.85 if kind != "primary" else 1)
        pupil = {
            "forename": forename,
            "surname": rng.choice(data.SURNAMES),
            "date_of_birth": dob,
            "year_group": year_group,
            "sex": "M" if male else "F",
            "fsm": fsm,
            "pupil_premium": fsm or looked_after or rng.random() < data.EVER_FSM_EXTRA,
            "eal": rng.random() < min(0.85, eal_p),
            "looked_after": looked_after,
        }
        start = self.entry_date(kind, year_group)
        return _PupilPlan(
            pupil=pupil,
            home=plan,
            enrolments=[(plan, start)],
            episodes=self.history(kind, provision, start),
        )

    def entry_date(self, kind: str, year_group: int) -> dt.date:
        """Return when the pupil joined: the start of the phase, now and then later."""
        rng = self.rng
        if kind == "primary":
            entry = self.year - year_group
        elif kind == "special":
            entry = self.year - rng.randint(0, year_group)
        elif kind == "ap":  # placements are recent
            entry = self.year - rng.randint(0, min(2, year_group - 7))
        elif year_group >= 12 and rng.random() < 0.3:
            entry = self.year - (year_group - 12)  # joined the sixth form
        else:
            entry = self.year - (year_group - 7)
        start = term_start(entry)
        room = (self.today - start).days - 30
        if room > 60 and rng.random() < 0.08:  # joined mid-phase
            start += dt.timedelta(days=rng.randrange(30, room))
        return min(start, self.today)

    def history(self, kind: str, provision: str, start: dt.date) -> list[_Episode]:
        """Return the pupil's SEN episodes, oldest first, ending with the current one."""
        rng = self.rng
        path = HISTORY[provision].draw(rng).split(",")
        changes = self.change_dates(start, len(path) - 1)
        if changes is None:
            path, changes = [provision], []
        episodes: list[_Episode] = []
        later: str | None = None  # the need of the next SEN episode
        for token, starts_on in reversed(list(zip(path, [start, *changes], strict=True))):
            prov = token.upper()
            if prov == "N":
                need = None
            elif token == "k":
                need = "NSA"
            elif later and rng.random() < 0.6 and not (prov != "K" and later in self.support_only):
                need = later  # the same need, at another level of provision
            else:
                # After an NSA episode the assessment names the need.
                exclude = self.support_only if "k" in path else frozenset()
                need = MIXES[(kind, prov)].draw(rng, exclude)
            secondary = None
            if need and rng.random() < data.SECONDARY_NEED[prov]:
                secondary = MIXES[(kind, prov)].draw(rng, data.NOT_SECONDARY | {need})
            episodes.append(_Episode(prov, need, secondary, starts_on, need))
            later = need or later
        episodes.reverse()
        return self.recode_new_needs(episodes)

    def change_dates(self, start: dt.date, k: int) -> list[dt.date] | None:
        """Return k dates after start, MIN_GAP days apart and before today; None if no room."""
        if k == 0:
            return []
        low = start + dt.timedelta(days=45)
        span = (self.today - dt.timedelta(days=14) - low).days - MIN_GAP * (k - 1)
        if span < 30:
            return None
        offsets = sorted(self.rng.randrange(span) for _ in range(k))
        return [low + dt.timedelta(days=o + MIN_GAP * i) for i, o in enumerate(offsets)]

    def recode_new_needs(self, episodes: list[_Episode]) -> list[_Episode]:
        """Record a need under its older code before the date its own code existed (DS)."""
        out: list[_Episode] = []
        for i, ep in enumerate(episodes):
            since = self.valid_from.get(ep.primary)
            if since is None or ep.starts_on >= since:
                out.append(ep)
                continue
            ends = (
                episodes[i + 1].starts_on - dt.timedelta(days=1)
                if i + 1 < len(episodes)
                else self.today
            )
            old = data.RECORDED_BEFORE[ep.provision]
            before = _Episode(
                ep.provision,
                old,
                None if ep.secondary == old else ep.secondary,
                ep.starts_on,
                ep.story,
            )
            out.append(before)
            if ends >= since:
                out.append(_Episode(ep.provision, ep.primary, ep.secondary, since, ep.story))
        return out

    def add_identifications(self, plan: _PupilPlan) -> None:
        """Record who identified each new need or plan, when, and on what evidence."""
        rng = self.rng
        previous: _Episode | None = None
        for i, ep in enumerate(plan.episodes):
            new = ep.provision != "N" and (
                previous is None
                or previous.provision != ep.provision
                or (previous.primary == "NSA" and ep.primary != "NSA")
            )
            previous = ep
            if not new:
                continue
            on = ep.starts_on - dt.timedelta(days=rng.randint(0, 21))
            if ep.provision == "E":
                who = data.EHCP_ISSUED_BY
                evidence = data.EHCP_EVIDENCE.format(advice=rng.choice(data.EHCP_ADVICE))
            else:
                who = f"{_adult_name(rng)}, {rng.choice(data.IDENTIFIED_BY[ep.story])}"
                evidence = rng.choice(data.EVIDENCE[ep.story])
            plan.idents.append((i, on, who, evidence + "."))

    def plan_moves(self, plans: list[_SchoolPlan], pupils: list[_PupilPlan]) -> None:
        """Give a few pupils an earlier enrolment at another school of the same kind."""
        rng = self.rng
        by_kind: dict[str, list[_SchoolPlan]] = {}
        for p in plans:
            by_kind.setdefault(p.kind, []).append(p)
        candidates = [
            p
            for p in pupils
            if p.home.kind in ("primary", "secondary")
            and len(by_kind[p.home.kind]) > 1
            and (self.today - p.enrolments[0][1]).days > 200
        ]
        if not candidates:
            return
        # Half of the movers have SEN: moving records between schools is what the trust needs.
        sen = [p for p in candidates if p.provision != "N"]
        n = min(len(candidates), max(2, round(len(pupils) * 0.004)))
        movers = rng.sample(sen, min(len(sen), n // 2))
        chosen = set(map(id, movers))
        rest = [p for p in candidates if id(p) not in chosen]
        movers += rng.sample(rest, min(len(rest), n - len(movers)))
        for p in movers:
            start = p.enrolments[0][1]
            span = (self.today - start).days - 120
            moved_on = start + dt.timedelta(days=rng.randrange(60, 60 + span))
            before = rng.choice([s for s in by_kind[p.home.kind] if s is not p.home])
            p.enrolments = [(before, start), (p.home, moved_on)]

    def allocate_upn(self, plan: _PupilPlan) -> None:
        """Give the pupil a UPN from the school that first enrolled them, as reception year."""
        school = plan.enrolments[0][0]
        estabs = school.upn_estabs
        first = self.rng.randrange(len(estabs)) if len(estabs) > 1 else 0  # feeder primaries
        year = self.year - plan.pupil["year_group"]
        plan.pupil["upn"] = self.upns.allocate(int(school.school.la_code), estabs, year, first)

    # -- teaching groups, staff and accounts --

    def plan_groups(self, plans: list[_SchoolPlan], pupils: list[_PupilPlan]) -> list[_Group]:
        """Form groups per year group (about 28 a class in mainstream, fewer elsewhere)."""
        rng = self.rng
        cohorts: dict[tuple[int, int], list[_PupilPlan]] = {}
        for p in pupils:
            key = (id(p.home), p.pupil["year_group"])
            cohorts.setdefault(key, []).append(p)
        groups = []
        size = {"primary": 28, "secondary": 28, "special": 9, "ap": 8}
        for plan in plans:
            for year_group in plan.years:
                cohort = cohorts.get((id(plan), year_group), [])
                if not cohort:
                    continue
                rng.shuffle(cohort)
                n = max(1, round(len(cohort) / size[plan.kind]))
                label = "R" if year_group == 0 else str(year_group)
                for i in range(n):
                    suffix = chr(ord("A") + i) if n <= 26 else f"-{i + 1}"
                    groups.append(_Group(plan, year_group, f"{label}{suffix}", cohort[i::n]))
        return groups

    def free_suffix(self, n_schools: int) -> str:
        """Return "" or the first "-tN" that frees every demo username."""
        bases = _account_bases(n_schools)
        for n in range(1, 1000):
            suffix = "" if n == 1 else f"-t{n}"
            names = [b + suffix for b in bases]
            if not self.User.objects.filter(username__in=names).exists():
                return suffix
        raise RuntimeError("no free demo usernames")

    def new_user(self, username: str, hashed: str, first: str, last: str):
        user = self.User(username=username, password=hashed, first_name=first, last_name=last)
        self.users.append(user)
        return user

    def member(
        self,
        user,
        role: str,
        trust: Trust,
        school: School | None = None,
        starts_on: dt.date | None = None,
        ends_on: dt.date | None = None,
    ) -> None:
        # Staff have been in post since the start of the school year three years ago.
        starts_on = starts_on or term_start(self.year - 3)
        self.memberships.append(
            Membership(
                user=user,
                role=role,
                trust=trust,
                school=school,
                starts_on=starts_on,
                ends_on=ends_on,
            )
        )

    def plan_accounts(self, trust, plans, groups, pupils, password, hashed, suffix):
        """Create one account per role; make sure each has someone to see."""
        rng = self.rng
        first = plans[0]
        accounts: list[Account] = []

        def account(role, base, school=None, surname=None, **member_kw):
            forename, last = rng.choice(data.ADULT_FIRST), surname or rng.choice(data.SURNAMES)
            user = self.new_user(base + suffix, hashed, forename, last)
            self.member(user, role, trust, school, **member_kw)
            urn = school.urn if school is not None else ""
            accounts.append(Account(role, user.username, password, urn, f"{forename} {last}"))
            return user

        account(Role.SEND_LEADER, "send_leader")
        account(Role.EXECUTIVE, "executive")
        account(Role.TRUSTEE, "trustee")
        account(Role.HEADTEACHER, "headteacher", first.school)
        first.senco = account(Role.SENCO, "senco", first.school)

        # The teacher and TA take the group of the first school with the most SEN pupils.
        own = [g for g in groups if g.school is first]
        group = max(own, key=lambda g: (sum(p.provision != "N" for p in g.pupils), g.name))
        child = self.ensure_support(group)
        group.staff.append(account(Role.TEACHER, "teacher", first.school))
        ta = account(Role.TA, "ta", first.school)
        same_year = [g for g in own if g.year_group == group.year_group and g is not group]
        for g in [group, *same_year[:1]]:
            g.staff.append(ta)
            self.demo_ta_groups.add(id(g))
        parent = account(Role.PARENT, "parent", first.school, surname=child.pupil["surname"])
        self.parent_links = [(parent, child)]

        # The external professional sees the parent's child and, if any, a pupil with a plan,
        # until about three months from now.
        ends_on = self.today + dt.timedelta(days=91)
        starts_on = self.today - dt.timedelta(days=14)
        external = account(
            Role.EXTERNAL, "external", first.school, starts_on=starts_on, ends_on=ends_on
        )
        seen = [child]
        with_plan = [p for p in group.pupils if p.provision == "E"] or [
            p for p in pupils if p.home is first and p.provision == "E"
        ]
        if with_plan:
            seen.append(rng.choice(with_plan))
        self.assignments = [
            ExternalAssignment(
                professional=external,
                starts_on=starts_on,
                ends_on=ends_on,
                reason=f"{_reason(p.episodes[-1].primary)} requested by the SENCO",
            )
            for p in seen
        ]
        self.assigned = seen
        for i, plan in enumerate(plans[1:], start=2):
            plan.senco = account(Role.SENCO, f"senco{i}", plan.school)
        return accounts

    def ensure_support(self, group: _Group) -> _PupilPlan:
        """Return a pupil on SEN support in the group, putting one there if there is none."""
        support = [p for p in group.pupils if p.provision == "K"]
        if support:
            return self.rng.choice(support)
        plan = self.rng.choice(group.pupils)
        plan.episodes = [_Episode("K", "SLCN", None, plan.enrolments[0][1], "SLCN")]
        plan.idents = []
        self.add_identifications(plan)
        return plan

    def plan_staff(self, trust: Trust, groups: list[_Group]) -> None:
        """A teacher for every group without one; TAs across one to three groups each."""
        rng = self.rng
        unusable = make_password(None)
        counters: dict[int, int] = {}

        def staff(plan: _SchoolPlan, role: str):
            n = counters[id(plan)] = counters.get(id(plan), 0) + 1
            user = self.new_user(
                f"staff.{plan.school.urn}.{n:03d}",
                unusable,
                rng.choice(data.ADULT_FIRST),
                rng.choice(data.SURNAMES),
            )
            self.member(user, role, trust, plan.school)
            return user

        by_year: dict[tuple[int, int], list[_Group]] = {}
        for g in groups:
            if not g.staff:
                g.staff.append(staff(g.school, Role.TEACHER))
            by_year.setdefault((id(g.school), g.year_group), []).append(g)
        for (_, year_group), year_groups in by_year.items():
            kind = year_groups[0].school.kind
            # A TA in every infant class; one per two junior classes, per three in secondary.
            every = {"secondary": 3, "primary": 1 if year_group <= 2 else 2}.get(kind, 1)
            for j in range(0, len(year_groups), every):
                chunk = [g for g in year_groups[j : j + every] if id(g) not in self.demo_ta_groups]
                if chunk:
                    ta = staff(chunk[0].school, Role.TA)
                    for g in chunk:
                        g.staff.append(ta)

    def check_staff_usernames(self, plans: list[_SchoolPlan]) -> None:
        """Fail early if a staff username for one of the new URNs is somehow taken."""
        prefixes = Q(pk__in=[])
        for p in plans:
            prefixes |= Q(username__startswith=f"staff.{p.school.urn}.")
        taken = self.User.objects.filter(prefixes).values_list("username", flat=True)[:1]
        if taken:
            raise ValueError(f"a user called {taken[0]!r} already exists; try another seed")

    # -- writing --

    def save(
        self, plans: list[_SchoolPlan], pupils: list[_PupilPlan], groups: list[_Group]
    ) -> None:
        """Write everything: the ORM for the few thousand rows, plain INSERTs for the rest."""
        rows = (
            len(plans)
            + len(self.users)
            + len(self.memberships)
            + len(groups)
            + sum(len(p.idents) + len(p.enrolments) + len(p.episodes) for p in pupils)
            + 2 * len(pupils)  # the pupils and their places in teaching groups
            + sum(len(g.staff) for g in groups)
        )
        self.bar = tqdm(total=rows, desc="Saving", unit="row", disable=not self.progress)
        self.create(School, [p.school for p in plans])
        self.create(self.User, self.users)
        self.create(Membership, self.memberships)
        self.save_pupils(plans[0].school.trust, pupils)
        self.save_groups(groups)
        self.create(ParentLink, [ParentLink(parent=u, pupil_id=p.pk) for u, p in self.parent_links])
        for a, p in zip(self.assignments, self.assigned, strict=True):
            a.pupil_id = p.pk
        self.create(ExternalAssignment, self.assignments)
        self.bar.close()

    def create(self, model, objs: list) -> None:
        model.objects.bulk_create(objs, batch_size=BATCH)
        self.bar.update(len(objs))

    def save_pupils(self, trust: Trust, pupils: list[_PupilPlan]) -> None:
        """Write pupils, then their enrolments, SEN episodes and identifications."""
        needs = {code: n.pk for code, n in self.needs.items()}
        needs[None] = None
        names = [*pupils[0].pupil, "code", "school", "sen_provision", "primary_need"]
        rows = [
            [*p.pupil.values(), uuid.uuid4(), p.home.school.pk, p.provision,
             needs[p.episodes[-1].primary]]
            for p in pupils
        ]  # fmt: skip
        insert_rows(Pupil, names, rows, adapt=True, progress=self.bar.update)
        # The rows went in without RETURNING; read the new keys back by UPN.
        ids = dict(Pupil.objects.filter(school__trust=trust).values_list("upn", "pk"))
        for p in pupils:
            p.pk = ids[p.pupil["upn"]]

        enrolments, episodes = [], []
        for p in pupils:
            starts = [start for _, start in p.enrolments]
            for (school, start), ends in zip(p.enrolments, _ends(starts), strict=True):
                enrolments.append([p.pk, school.school.pk, start, ends])
            starts = [ep.starts_on for ep in p.episodes]
            for ep, ends in zip(p.episodes, _ends(starts), strict=True):
                episodes.append([
                    uuid.uuid4(), p.pk, ep.provision, needs[ep.primary], needs[ep.secondary],
                    ep.starts_on, ends, p.home.senco.pk, SOURCE,
                ])  # fmt: skip
        names = ["pupil", "school", "starts_on", "ends_on"]
        insert_rows(Enrolment, names, enrolments, adapt=True, progress=self.bar.update)
        names = ["code", "pupil", "provision", "primary_need", "secondary_need", "starts_on",
                 "ends_on", "recorded_by", "source"]  # fmt: skip
        insert_rows(SenEpisode, names, episodes, adapt=True, progress=self.bar.update)

        # A pupil's episodes start on different days, so (pupil, start) finds each one.
        episode_ids = {
            (pupil, start): pk
            for pupil, start, pk in SenEpisode.objects.filter(
                pupil__school__trust=trust
            ).values_list("pupil_id", "starts_on", "pk")
        }
        idents = [
            [p.pk, episode_ids[p.pk, p.episodes[i].starts_on], on, who, evidence, p.home.senco.pk]
            for p in pupils
            for i, on, who, evidence in p.idents
        ]
        names = ["pupil", "episode", "identified_on", "identified_by", "evidence", "recorded_by"]
        insert_rows(Identification, names, idents, adapt=True, progress=self.bar.update)

    def save_groups(self, groups: list[_Group]) -> None:
        objs = [TeachingGroup(school=g.school.school, name=g.name) for g in groups]
        self.create(TeachingGroup, objs)
        pairs = list(zip(groups, objs, strict=True))
        staff = [[obj.pk, user.pk] for g, obj in pairs for user in g.staff]
        members = [[obj.pk, p.pk] for g, obj in pairs for p in g.pupils]
        for through, names, rows in (
            (TeachingGroup.staff.through, ["teachinggroup", "user"], staff),
            (TeachingGroup.pupils.through, ["teachinggroup", "pupil"], members),
        ):
            insert_rows(through, names, rows, adapt=True, progress=self.bar.update)


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
