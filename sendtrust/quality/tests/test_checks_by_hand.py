"""The data-quality queries (issue 15: one indexed read of the pupils) list exactly what a plain
reading of every pupil and open status finds: the SQL only narrows which pupils and statuses
reach the checks, so it must never drop one that a check would list."""

import datetime as dt

import pytest
from django.utils import timezone

from sendtrust.pupils import services
from sendtrust.pupils.models import Enrolment, NeedType, Provision, Pupil, SenEpisode
from sendtrust.quality import checks
from sendtrust.testing import PupilFactory, give_status, need

pytestmark = pytest.mark.django_db

KEYS = {"two_open_episodes", "no_open_enrolment",
        "nsa_with_ehcp", "no_primary_need", "need_not_in_taxonomy", "secondary_same_as_primary",
        "secondary_without_primary", "need_without_sen", "need_before_valid", "future_start",
        "status_mismatch", "secondary_dropped"}


def _row(e: SenEpisode) -> dict:
    p = e.pupil
    row = {"pupil__code": p.code, "pupil__surname": p.surname, "pupil__forename": p.forename,
           "pupil__upn": p.upn, "pupil__school__name": p.school.name,
           "pupil__school__urn": p.school.urn, "pupil__sen_provision": p.sen_provision,
           "pupil__primary_need_id": p.primary_need_id, "provision": e.provision,
           "starts_on": e.starts_on, "primary_need_id": e.primary_need_id,
           "secondary_need_id": e.secondary_need_id}
    for rank, n in (("primary", e.primary_need), ("secondary", e.secondary_need)):
        for key in ("code", "taxonomy", "support_only", "valid_from"):
            row[f"{rank}_need__{key}"] = getattr(n, key) if n else None
    return row


def by_hand(trust) -> set[tuple[str, str, str]]:
    today = timezone.localdate()
    found = set()
    for e in SenEpisode.objects.filter(ends_on__isnull=True, pupil__school__trust=trust):
        for key, detail in checks._episode_problems(_row(e), today):
            found.add((key, e.pupil.surname, detail))
        history = sorted(e.pupil.episodes.filter(starts_on__lt=e.starts_on),
                         key=lambda x: (x.starts_on, x.id))
        before = history[-1] if history else None
        if (before and e.provision in checks.SEN and e.secondary_need_id is None
                and before.secondary_need_id is not None
                and before.primary_need_id == e.primary_need_id
                and before.provision != e.provision and not e.corrections.exists()):
            found.add(("secondary_dropped", e.pupil.surname,
                       f"{before.secondary_need.code} until {e.starts_on:%d/%m/%Y}, none since"))
    for p in Pupil.objects.filter(school__trust=trust):  # the pupil record itself
        n_open = p.episodes.filter(ends_on__isnull=True).count()
        if n_open > 1:
            found.add(("two_open_episodes", p.surname, f"{n_open} open"))
        if p.left_on is not None:
            continue
        if n_open == 0 and (p.sen_provision in checks.SEN or p.primary_need is not None):
            code = p.primary_need.code if p.primary_need else ""
            found.add(("status_mismatch", p.surname,
                       f"register {p.sen_provision} {code}".strip()
                       + ", no open status in the history"))
        if not Enrolment.objects.filter(pupil=p, school=p.school, ends_on__isnull=True).exists():
            found.add(("no_open_enrolment", p.surname, "no open enrolment"))
    return found


def test_every_open_status_a_check_would_list_is_listed(cast):
    today = timezone.localdate()
    school = cast.school_a
    local = NeedType.objects.create(taxonomy="local", code="LOC", label="Local",
                                    broad_area="Other")
    dated = NeedType.objects.get(taxonomy="england-census", code="DS")
    cases = {}

    def pupil(name):
        cases[name] = PupilFactory(school=school, surname=name)
        return cases[name]

    def set_open(p, **fields):
        SenEpisode.objects.filter(pupil=p, ends_on__isnull=True).update(**fields)

    give_status(pupil("Fine"), Provision.SUPPORT, "MLD", "SLCN")
    give_status(pupil("NsaPlan"), Provision.SUPPORT, "NSA")
    set_open(cases["NsaPlan"], provision=Provision.EHCP)
    Pupil.objects.filter(pk=cases["NsaPlan"].pk).update(sen_provision=Provision.EHCP)
    give_status(pupil("NoNeed"), Provision.SUPPORT, "MLD")
    set_open(cases["NoNeed"], primary_need=None)
    give_status(pupil("Local"), Provision.SUPPORT, "MLD")
    set_open(cases["Local"], secondary_need=local)
    give_status(pupil("Same"), Provision.EHCP, "ASD")
    set_open(cases["Same"], secondary_need=need("ASD"))
    give_status(pupil("SecondOnly"), Provision.SUPPORT, "MLD")
    set_open(cases["SecondOnly"], primary_need=None, secondary_need=need("HI"))
    give_status(pupil("NoSen"), Provision.SUPPORT, "MLD")
    set_open(cases["NoSen"], provision=Provision.NONE)
    give_status(pupil("Early"), Provision.SUPPORT, "MLD", on=dt.date(2024, 9, 2))
    set_open(cases["Early"], primary_need=dated)
    Pupil.objects.filter(pk=cases["Early"].pk).update(primary_need=dated)
    give_status(pupil("Future"), Provision.SUPPORT, "MLD")
    set_open(cases["Future"], starts_on=today + dt.timedelta(days=3))
    give_status(pupil("Register"), Provision.SUPPORT, "MLD")
    Pupil.objects.filter(pk=cases["Register"].pk).update(primary_need=need("SPLD"))
    give_status(pupil("Dropped"), Provision.SUPPORT, "MLD", "SLCN", on=dt.date(2023, 10, 2))
    give_status(cases["Dropped"], Provision.EHCP, "MLD", on=dt.date(2024, 9, 2))
    give_status(pupil("NewNeed"), Provision.SUPPORT, "MLD", "SLCN", on=dt.date(2023, 10, 2))
    give_status(cases["NewNeed"], Provision.EHCP, "ASD", on=dt.date(2024, 9, 2))
    # The pupil record: a register status with no open status behind it and no enrolment;
    # a pupil enrolled at another school than the register's; a leaver (listed by neither).
    pupil("Orphan")
    SenEpisode.objects.filter(pupil=cases["Orphan"]).delete()
    Pupil.objects.filter(pk=cases["Orphan"].pk).update(sen_provision=Provision.EHCP,
                                                         primary_need=need("ASD"))
    Enrolment.objects.filter(pupil=cases["Orphan"]).update(ends_on=dt.date(2024, 7, 20))
    pupil("Elsewhere")
    Enrolment.objects.filter(pupil=cases["Elsewhere"]).update(school=cast.school_b)
    give_status(pupil("Leaver"), Provision.SUPPORT, "MLD", "SLCN", on=dt.date(2023, 10, 2))
    services.record_leaver(cases["Leaver"], on=today, destination="Abroad")

    pupils = Pupil.objects.filter(school__trust=cast.trust)
    listed = {(p.check.key, p.surname, p.detail) for p in checks.find_problems(pupils)
              if p.check.key in KEYS}
    expected = by_hand(cast.trust)
    assert listed == expected
    # Reading only the candidates (issue 15) lists what reading every pupil lists.
    assert checks.find_problems(pupils) == checks.find_problems(pupils, narrow=False)
    # Each case above is listed by at least one check; the sound ones by none.
    named = {surname for _, surname, _ in listed}
    assert named == set(cases) - {"Fine", "NewNeed", "Leaver"}
