"""Demo accounts for every role, and the other staff of each school."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.hashers import make_password
from django.db.models import Q

from sendtrust.demo import data
from sendtrust.demo.plan import (
    Account,
    _account_bases,
    _Episode,
    _Group,
    _PupilPlan,
    _reason,
    _SchoolPlan,
    term_start,
)
from sendtrust.organisations.models import (
    ExternalAssignment,
    Membership,
    Role,
    School,
    Trust,
)


class PeopleMixin:
    """Accounts, memberships, parent links and assignments for _Builder."""

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
