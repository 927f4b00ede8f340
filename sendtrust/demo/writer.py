"""Write a planned demo trust: the ORM for the few thousand rows, plain INSERTs for the rest."""

from __future__ import annotations

import uuid

from tqdm import tqdm

from sendtrust.demo.plan import (
    BATCH,
    SOURCE,
    _ends,
    _Group,
    _PupilPlan,
    _SchoolPlan,
)
from sendtrust.lib.bulk import insert_rows
from sendtrust.organisations.models import (
    ExternalAssignment,
    Membership,
    ParentLink,
    School,
    TeachingGroup,
    Trust,
)
from sendtrust.pupils.models import (
    Enrolment,
    Identification,
    Pupil,
    SenEpisode,
)


class WriterMixin:
    """The bulk writes for _Builder."""

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
        if any(f.name == "left_on" for f in Pupil._meta.fields):
            # A leaver's last day on roll, where the register keeps it (pupils.Pupil.left_on).
            names.append("left_on")
            for row, p in zip(rows, pupils, strict=True):
                row.append(self.left.get(id(p)))
        # The enrolment summary the database's triggers keep (pupils.Pupil.enrolment_count),
        # filled in here too: the triggers then find it right and, on PostgreSQL, do not write
        # each pupil a second time. The last enrolment is the one left open, or a leaver's.
        # A leaver has no open enrolment; anyone else has one, the last, open.
        # So is the open-status summary (Pupil.open_provision): every status but the last
        # is closed when the next begins; the last stays open, a leaver's too.
        names += ["enrolment_count", "enrolled_from", "enrolled_until", "open_enrolment_school",
                  "open_provision", "open_primary_need"]
        for row, p in zip(rows, pupils, strict=True):
            left = self.left.get(id(p))
            row += [len(p.enrolments), min(start for _, start in p.enrolments), left,
                    None if left else p.enrolments[-1][0].school.pk,
                    p.episodes[-1].provision, needs[p.episodes[-1].primary]]
        insert_rows(Pupil, names, rows, adapt=True, progress=self.bar.update)
        # The rows went in without RETURNING; read the new keys back by UPN.
        ids = dict(Pupil.objects.filter(school__trust=trust).values_list("upn", "pk"))
        for p in pupils:
            p.pk = ids[p.pupil["upn"]]

        enrolments, episodes = [], []
        for p in pupils:
            starts = [start for _, start in p.enrolments]
            ends = _ends(starts)
            ends[-1] = self.left.get(id(p))  # a leaver's last enrolment is closed
            for (school, start), end in zip(p.enrolments, ends, strict=True):
                enrolments.append([p.pk, school.school.pk, start, end])
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
