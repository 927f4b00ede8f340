"""The demo builder: plans schools and pupils with their SEN histories in memory."""

from __future__ import annotations

import datetime as dt
import math
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db.models.functions import Substr
from tqdm import tqdm

from sendtrust.access.audit import log_action
from sendtrust.demo import data
from sendtrust.demo.people import PeopleMixin
from sendtrust.demo.plan import (
    HISTORY,
    MIN_GAP,
    MIXES,
    TAXONOMY,
    DemoResult,
    Outlier,
    SchoolStats,
    _adult_name,
    _cohort_weight,
    _Episode,
    _Group,
    _PupilPlan,
    _SchoolPlan,
    _share,
    _UpnAllocator,
    academic_year,
    birth_range,
    term_start,
)
from sendtrust.demo.writer import WriterMixin
from sendtrust.organisations.models import (
    ExternalAssignment,
    Membership,
    School,
    Trust,
)
from sendtrust.pupils.models import (
    NeedType,
    Provision,
    Pupil,
)


class _Builder(PeopleMixin, WriterMixin):
    """Plans a whole trust in memory (schools, pupils, SEN histories), then writes it."""

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
        # id(pupil plan) -> the last day on roll, for pupils who have left the trust.
        self.left: dict[int, dt.date] = {}

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
        leavers = self.plan_leavers(plans, pupils)
        for plan in pupils + leavers:
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

        self.save(plans, pupils + leavers, groups)
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

    def plan_leavers(self, plans: list[_SchoolPlan], pupils: list[_PupilPlan]) -> list[_PupilPlan]:
        """Pupils who left each school at the end of each of the last LEAVER_YEARS years.

        Each school's top year group leaves every July, as many as are in it now, with SEN
        histories up to the day they left: so every past census is rebuilt from the pupils on
        roll that day, and the trend is the trust's true one, not today's pupils looked back.
        """
        rng = self.rng
        on_roll: dict[tuple[int, int], int] = {}
        for p in pupils:
            key = (id(p.home), p.pupil["year_group"])
            on_roll[key] = on_roll.get(key, 0) + 1
        today, year = self.today, self.year
        leavers: list[_PupilPlan] = []
        try:
            for left_year in range(year - data.LEAVER_YEARS, year):
                last_day = dt.date(left_year + 1, 7, 20)
                self.today, self.year = last_day, left_year
                for plan in plans:
                    top = plan.years[-1]
                    size = on_roll.get((id(plan), top), 0)
                    for _ in range(round(size * rng.uniform(0.9, 1.1))):
                        leaver = self.plan_pupil(plan, top)
                        self.left[id(leaver)] = last_day
                        leavers.append(leaver)
        finally:
            self.today, self.year = today, year
        return leavers

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
