import datetime as dt
from collections import Counter, defaultdict

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sendtrust.access.policy import Action, Decision, decide, visible_pupils
from sendtrust.demo.services import academic_year, birth_range, build_demo_trust
from sendtrust.lib.upn import upn_error
from sendtrust.organisations.models import Membership, Role, School
from sendtrust.pupils.models import Enrolment, Identification, NeedType, Pupil, SenEpisode
from sendtrust.pupils.services import check_status

PASSWORD = "demo-password-1"


def build(**kw):
    args = {"schools": 4, "pupils": 600, "seed": 7, "password": PASSWORD} | kw
    return build_demo_trust(**args)


@pytest.fixture
def demo(db):
    return build()


def problems(trust, on: dt.date) -> list[str]:
    """Return every broken invariant in the trust's pupil data (empty when all hold)."""
    found = []
    needs = {n.pk: n for n in NeedType.objects.all()}
    pupils = {p.pk: p for p in Pupil.objects.filter(school__trust=trust)}
    episodes, enrolments = defaultdict(list), defaultdict(list)
    for e in SenEpisode.objects.filter(pupil__in=pupils.keys()).order_by("starts_on"):
        episodes[e.pupil_id].append(e)
    for e in Enrolment.objects.filter(pupil__in=pupils.keys()).order_by("starts_on"):
        enrolments[e.pupil_id].append(e)
    for pk, p in pupils.items():
        if upn_error(p.upn):
            found.append(f"{p.upn}: {upn_error(p.upn)}")
        left = enrolments[pk][-1].ends_on  # a leaver's last day on roll; None while on roll
        low, high = birth_range(p.year_group, academic_year(left or on))
        if not low <= p.date_of_birth <= high:
            found.append(f"{p.upn}: born {p.date_of_birth}, not in year {p.year_group}")
        for kind, spans in (("episode", episodes[pk]), ("enrolment", enrolments[pk])):
            open_ = [s for s in spans if s.ends_on is None]
            closed = kind == "enrolment" and left is not None  # a leaver's roll has ended
            if len(open_) != (0 if closed else 1) or (spans[-1].ends_on is not None
                                                       and not closed):
                found.append(f"{p.upn}: {len(open_)} open {kind}s")
            for a, b in zip(spans, spans[1:], strict=False):
                if a.ends_on is None or a.ends_on >= b.starts_on:
                    found.append(f"{p.upn}: {kind}s overlap")
            for s in spans:
                if s.starts_on > on or (s.ends_on and s.ends_on < s.starts_on):
                    found.append(f"{p.upn}: {kind} dated {s.starts_on}-{s.ends_on}")
        current = episodes[pk][-1]
        if (p.sen_provision, p.primary_need_id) != (current.provision, current.primary_need_id):
            found.append(f"{p.upn}: status differs from the open episode")
        if p.school_id != enrolments[pk][-1].school_id:
            found.append(f"{p.upn}: school differs from the open enrolment")
        for e in episodes[pk]:
            primary, secondary = needs.get(e.primary_need_id), needs.get(e.secondary_need_id)
            try:
                check_status(e.provision, primary, secondary)
            except ValidationError as error:
                found.append(f"{p.upn}: {e.provision} {primary} {secondary}: {error}")
            if primary and primary.valid_from and e.starts_on < primary.valid_from:
                found.append(f"{p.upn}: {primary.code} used before {primary.valid_from}")
    return found


def test_every_invariant_holds(demo):
    assert problems(demo.trust, timezone.localdate()) == []
    pupils = Pupil.objects.filter(school__trust=demo.trust, enrolments__ends_on__isnull=True)
    assert pupils.count() == 600
    assert SenEpisode.objects.filter(pupil__in=pupils, ends_on__isnull=True).count() == 600
    assert Enrolment.objects.filter(pupil__in=pupils, ends_on__isnull=True).count() == 600


@pytest.mark.parametrize(
    "on",
    [
        dt.date(2026, 9, 1),  # the first day of a school year: reception starts today
        dt.date(2027, 8, 31),  # its last day
        dt.date(2025, 9, 6),  # a Saturday in early September
        dt.date(2025, 1, 20),  # days after Down syndrome became a need of its own
    ],
)
def test_it_holds_whatever_the_date(db, on):
    result = build(schools=3, pupils=300, seed=3, on=on)
    assert problems(result.trust, on) == []


def test_sen_rates_are_near_the_national_figures(demo):
    support = sum(s.sen_support for s in demo.schools)
    ehcp = sum(s.ehcp for s in demo.schools)
    # Targets: about 13-14% SEN support and 3% EHC plans in mainstream, outliers included.
    assert 0.08 <= support / 600 <= 0.22
    assert 0.01 <= ehcp / 600 <= 0.06
    counts = Counter(
        Pupil.objects.filter(school__trust=demo.trust, enrolments__ends_on__isnull=True)
        .values_list("sen_provision", flat=True)
    )
    assert (counts["K"], counts["E"]) == (support, ehcp)


def test_needs_and_sex_follow_the_national_shape(db):
    result = build(schools=6, pupils=6000, seed=11)
    pupils = Pupil.objects.filter(school__trust=result.trust)
    support = Counter(pupils.filter(sen_provision="K").values_list("primary_need__code", flat=True))
    plans = Counter(pupils.filter(sen_provision="E").values_list("primary_need__code", flat=True))
    assert support.most_common(1)[0][0] in {"SLCN", "SEMH"}
    assert plans.most_common(1)[0][0] == "ASD"
    assert "NSA" in support and "NSA" not in plans
    assert not pupils.filter(sen_provision="N", primary_need__isnull=False).exists()
    boys = {
        p: pupils.filter(sen_provision=p, sex="M").count() / pupils.filter(sen_provision=p).count()
        for p in "NKE"
    }
    assert boys["N"] < boys["K"] < boys["E"]
    fsm = {
        p: pupils.filter(sen_provision=p, fsm=True).count() / pupils.filter(sen_provision=p).count()
        for p in "NKE"
    }
    assert fsm["N"] < fsm["K"]
    assert SenEpisode.objects.filter(pupil__in=pupils, secondary_need__isnull=False).exists()


def test_outlier_schools_stand_out(demo):
    directions = {o.direction: o for o in demo.outliers}
    assert set(directions) == {"over", "under"}
    stats = {s.school.pk: s for s in demo.schools}
    over = stats[directions["over"].school.pk]
    under = stats[directions["under"].school.pk]
    assert over.sen_support_rate > under.sen_support_rate


def test_leavers_make_the_trend_a_true_one(demo):
    """Each school's top year left every July for the last years: a past census counts them."""
    from sendtrust.analytics.figures.trend import census_day, census_days, coverage

    leavers = Pupil.objects.filter(school__trust=demo.trust).exclude(
        enrolments__ends_on__isnull=True)
    assert leavers.count() > 100
    cover = coverage(demo.trust)
    today = timezone.localdate()
    assert cover.complete_from == dt.date(academic_year(today) - 4, 7, 20)
    days = census_days(demo.trust)
    assert days[0] == census_day(cover.complete_from.year + 1)


def test_some_pupils_have_a_history(demo):
    pupils = Pupil.objects.filter(school__trust=demo.trust)
    closed = SenEpisode.objects.filter(pupil__in=pupils, ends_on__isnull=False)
    assert closed.filter(provision="K").exists()
    assert closed.filter(provision="N").exists()
    assert (
        Identification.objects.filter(pupil__in=pupils).count()
        >= pupils.exclude(sen_provision="N").count() * 0.9
    )
    ident = Identification.objects.filter(pupil__in=pupils).select_related("episode").first()
    assert ident.episode.pupil_id == ident.pupil_id
    assert ident.identified_by and ident.evidence
    # A few moved from one school of the trust to another.
    moved = Enrolment.objects.filter(pupil__in=pupils, ends_on__isnull=False,
                                     pupil__enrolments__ends_on__isnull=True)
    assert moved.exists()
    for e in moved:
        assert e.school.trust_id == demo.trust.pk
        assert e.school_id != e.pupil.school_id


def test_schools_look_real(demo):
    schools = list(School.objects.filter(trust=demo.trust))
    assert len(schools) == 4
    assert len({s.urn for s in schools}) == 4
    assert all(len(s.urn) == 6 and s.urn.isdigit() for s in schools)
    assert {s.phase for s in schools} == {School.Phase.PRIMARY, School.Phase.SECONDARY}
    assert 1 <= len({s.la_code for s in schools}) <= 2
    for s in schools:
        assert s.number_on_roll == s.pupils.filter(enrolments__ends_on__isnull=True).count()
        assert s.teaching_groups.exists()
    secondary = next(s for s in schools if s.phase == School.Phase.SECONDARY)
    assert secondary.number_on_roll > min(s.number_on_roll for s in schools)


def test_every_role_can_log_in_with_the_access_it_should_have(demo, client):
    accounts = {a.username: a for a in demo.accounts}
    roles = {a.role for a in demo.accounts}
    assert roles == set(Role.values)
    expected = "send_leader executive trustee headteacher senco teacher ta parent external"
    assert set(accounts) == {*expected.split(), "senco2", "senco3", "senco4"}
    users = {}
    for name in accounts:
        assert client.login(username=name, password=PASSWORD), name
        client.logout()
        users[name] = Membership.objects.get(user__username=name).user
        assert users[name].first_name and users[name].last_name

    first = School.objects.get(urn=accounts["senco"].school_urn)
    everyone = Pupil.objects.filter(school__trust=demo.trust)
    on_roll = {"enrolments__ends_on__isnull": True}  # leavers stay visible, with their history
    assert visible_pupils(users["send_leader"]).filter(**on_roll).count() == 600
    assert visible_pupils(users["executive"]).filter(**on_roll).count() == 600
    assert not visible_pupils(users["trustee"]).exists()
    assert set(visible_pupils(users["headteacher"])) == set(first.pupils.all())
    assert set(visible_pupils(users["senco"])) == set(first.pupils.all())

    for name in ("teacher", "ta"):
        seen = visible_pupils(users[name])
        assert seen.exists()
        assert seen.exclude(sen_provision="N").exists(), name
        assert not seen.exclude(school=first).exists()
    child = visible_pupils(users["parent"]).get()
    assert child.sen_provision == "K"
    assert child.surname == users["parent"].last_name
    assigned = visible_pupils(users["external"])
    assert 1 <= assigned.count() <= 2
    external = Membership.objects.get(user=users["external"])
    assert external.role == Role.EXTERNAL
    assert dt.timedelta(days=80) < external.ends_on - timezone.localdate() < dt.timedelta(days=100)

    other = everyone.exclude(school=first).first()
    assert other is not None
    # Members of the trust are refused with 403, never 404.
    for name in ("trustee", "teacher", "ta", "parent", "external", "senco"):
        assert decide(users[name], Action.PUPIL_VIEW, other) is Decision.FORBIDDEN, name
    assert decide(users["parent"], Action.PUPIL_VIEW, child) is Decision.ALLOW
    assert decide(users["trustee"], Action.TRUST_OVERVIEW, demo.trust) is Decision.ALLOW
    second = School.objects.get(urn=accounts["senco2"].school_urn)
    theirs = second.pupils.first()
    assert decide(users["senco2"], Action.PUPIL_CHANGE, theirs) is Decision.ALLOW
    assert decide(users["senco2"], Action.PUPIL_VIEW, child) is Decision.FORBIDDEN


def test_the_same_seed_gives_the_same_trust(db):
    on = dt.date(2026, 3, 2)

    def upns(seed):
        with transaction.atomic():
            result = build(seed=seed, on=on)
            found = list(
                Pupil.objects.filter(school__trust=result.trust)
                .order_by("upn")
                .values_list("upn", "date_of_birth", "sen_provision")
            )
            names = [s.school.name for s in result.schools]
            transaction.set_rollback(True)
        return found, names

    assert upns(5) == upns(5)
    assert upns(5) != upns(6)


def test_a_second_trust_gets_its_own_usernames(db, client):
    first = build(trust_name="First Trust")
    second = build(trust_name="Second Trust")
    assert first.username_suffix == "" and second.username_suffix == "-t2"
    assert "senco-t2" in {a.username for a in second.accounts}
    assert client.login(username="senco-t2", password=PASSWORD)
    urns = [s.school.urn for s in first.schools + second.schools]
    assert len(set(urns)) == len(urns)
    assert Pupil.objects.filter(enrolments__ends_on__isnull=True).count() == 1200
    assert problems(second.trust, timezone.localdate()) == []


def test_it_refuses_nonsense(db):
    with pytest.raises(ValueError):
        build(schools=0)
    with pytest.raises(ValueError):
        build(schools=5, pupils=3)
    with pytest.raises(ValueError):
        build(password="")
