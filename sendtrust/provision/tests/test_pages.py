"""The provision pages as their users rely on them: groups, enrolment, scores, the map, the
element 2 list, trust figures with suppression, impact, exports and the audit log."""

import csv
import datetime as dt
import io
from decimal import Decimal

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects

from sendtrust.access.models import AuditEntry
from sendtrust.provision import services
from sendtrust.provision.models import (
    GroupEnrolment,
    HourlyRate,
    IndividualProvision,
    ProvisionGroup,
)
from sendtrust.provision.tests.matrix import build_group, build_measure
from sendtrust.pupils.models import Provision
from sendtrust.testing import PupilFactory, give_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(cast):
    cast.measure = build_measure(cast.trust)
    cast.group = build_group(cast.school_a, cast.measure)
    HourlyRate.objects.create(trust=cast.trust, role="ta", rate=Decimal("20"))
    return cast


def login(client, cast, role):
    client.force_login(cast.users[role])
    return client


def test_a_senco_sets_up_a_group_enrols_and_records_scores(client, setup):
    c = login(client, setup, "senco_a")
    start = dt.date.today() - dt.timedelta(days=7)
    response = c.post(f"/schools/{setup.school_a.code}/provision/groups/new/", {
        "intervention": setup.group.intervention.pk, "name": "Year 4 readers",
        "staff_role": "ta", "starts_on": start.isoformat(),
        "staff": [setup.users["ta_a"].pk]})
    group = ProvisionGroup.objects.get(name="Year 4 readers")
    assert response.status_code == 302
    # Left blank, the delivery pattern and end date come from the intervention.
    assert (group.sessions_per_week, group.minutes_per_session) == (3, 30)
    assert group.ends_on == start + dt.timedelta(weeks=10)
    assert list(group.staff.all()) == [setup.users["ta_a"]]

    response = c.post(f"/provision/groups/{group.code}/enrol/",
                      {"pupil": setup.pupil_a1.pk, "entry_score": "82"})
    assert response.status_code == 302
    enrolment = GroupEnrolment.objects.get(group=group)
    assert enrolment.entry_score == 82

    response = c.post(f"/provision/enrolments/{enrolment.code}/scores/",
                      {"entry_score": "82", "exit_score": "91"})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.exit_score == 91
    page = c.get(f"/provision/groups/{group.code}/").content.decode()
    assert "Ada Ash" in page and ">9<" in page.replace(" ", "")  # the change, 91 - 82
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"provision.group.created", "provision.enrolment.created",
            "provision.scores.recorded", "provision.group.viewed"} <= actions


def test_an_out_of_range_score_is_refused_with_a_reason_and_nothing_saved(client, setup):
    c = login(client, setup, "senco_a")
    response = c.post(f"/provision/groups/{setup.group.code}/enrol/",
                      {"pupil": setup.pupil_a1.pk, "entry_score": "212"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "autofocus" in page
    assert "212 is outside Standardised reading score" in page
    assert not GroupEnrolment.objects.exists()


def test_a_fall_larger_than_the_measure_allows_is_refused(client, setup):
    enrolment = services.enrol_pupil(setup.group, setup.pupil_a1, request=None,
                                     entry_score=Decimal(100))
    c = login(client, setup, "senco_a")
    response = c.post(f"/provision/enrolments/{enrolment.code}/scores/",
                      {"entry_score": "100", "exit_score": "80"})
    assert response.status_code == 400
    assert "check that the scores were not swapped" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.exit_score is None


def test_a_teacher_sees_only_the_provision_of_pupils_they_teach(client, setup):
    services.enrol_pupil(setup.group, setup.pupil_a1, request=None, entry_score=Decimal(90))
    services.enrol_pupil(setup.group, setup.pupil_a2, request=None, entry_score=Decimal(90))
    page = login(client, setup, "teacher_a").get(
        f"/schools/{setup.school_a.code}/provision/").content.decode()
    assert "Ada Ash" in page  # taught by teacher_a
    assert "Ben Beech" not in page
    group_page = client.get(f"/provision/groups/{setup.group.code}/").content.decode()
    assert "Ada Ash" in group_page and "Ben Beech" not in group_page
    assert "Enrol a pupil" not in group_page


def test_costs_and_the_element_2_list(client, setup):
    # One-to-one: 8 hours a week from the start of the school year at £20 an hour.
    from sendtrust.provision.facts import school_year

    start, _ = school_year(dt.date.today())
    IndividualProvision.objects.create(
        pupil=setup.pupil_a2, school=setup.school_a, kind="one_to_one",
        area="Communication and interaction", description="1:1 support",
        hours_per_week=Decimal(8), staff_role="ta", starts_on=start)
    weeks = min(39, ((start.replace(year=start.year + 1) - start).days + 6) // 7)
    expected = 8 * 20 * weeks  # 39 weeks: £6,240
    page = login(client, setup, "senco_a").get(
        f"/schools/{setup.school_a.code}/provision/element-2/").content.decode()
    assert "Ben Beech" in page and f"{expected:,}" in page and "Above £6,000" in page
    assert "Ada Ash" not in page  # no provision
    assert AuditEntry.objects.filter(action="provision.element2.viewed").exists()


def test_trustees_never_see_a_count_from_1_to_4(client, setup):
    services.enrol_pupil(setup.group, setup.pupil_a1, request=None, entry_score=Decimal(90))
    page = login(client, setup, "trustee").get(
        f"/trusts/{setup.trust.code}/provision/map/").content.decode()
    assert "fewer than 5" in page
    assert "Ada" not in page
    response = client.get(f"/trusts/{setup.trust.code}/provision/map/?format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    body = [r for r in rows[1:] if r and r[0] in ("Alder Primary", "Trust")]
    cells = [cell for r in body for cell in r[1:6]]
    assert all(cell in ("0", "fewer than 5", "withheld to protect a small number")
               for cell in cells), cells
    # The SEND leader sees the same table whole.
    leader = login(client, setup, "send_leader").get(
        f"/trusts/{setup.trust.code}/provision/map/").content.decode()
    assert "fewer than 5" not in leader


def test_exports_neutralise_formulas_and_are_audited(client, setup):
    setup.group.name = "=HYPERLINK(\"http://x\")"
    setup.group.save()
    services.enrol_pupil(setup.group, setup.pupil_a1, request=None, entry_score=Decimal(90))
    response = login(client, setup, "senco_a").get(
        f"/schools/{setup.school_a.code}/provision/map.csv")
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert AuditEntry.objects.filter(action="provision.exported").exists()


def _finished(group, pupils, entries, exits):
    for pupil, a, b in zip(pupils, entries, exits, strict=True):
        GroupEnrolment.objects.create(group=group, pupil=pupil, school=group.school,
                                      entry_score=a, exit_score=b)


def test_impact_matches_scipy_and_statsmodels(client, setup):
    a_entries, a_exits = [80, 84, 78, 90, 86, 81], [88, 89, 86, 93, 90, 89]
    b_entries, b_exits = [92, 85, 88, 79, 83, 90, 87], [93, 87, 88, 84, 84, 94, 88]
    a_pupils = [PupilFactory(school=setup.school_a) for _ in a_entries]
    b_pupils = [PupilFactory(school=setup.school_b) for _ in b_entries]
    group_b = services.create_group(setup.school_b, request=None,
                                    intervention=setup.group.intervention, name="B group",
                                    starts_on=setup.group.starts_on)
    _finished(setup.group, a_pupils, a_entries, a_exits)
    _finished(group_b, b_pupils, b_entries, b_exits)

    def g_and_v(entries, exits):
        t = stats.ttest_rel(exits, entries).statistic
        n = len(entries)
        g = (1 - 3 / (4 * (n - 1) - 1)) * t / np.sqrt(n)
        return g, 1 / n + g * g / (2 * n)

    ga, va = g_and_v(a_entries, a_exits)
    gb, vb = g_and_v(b_entries, b_exits)
    pooled = combine_effects(np.array([ga, gb]), np.array([va, vb]), method_re="dl")
    response = login(client, setup, "send_leader").get(
        f"/api/v1/provision/trusts/{setup.trust.code}/impact")
    table = response.json()
    by_school = {r["school"]: r for r in table["rows"]}
    assert by_school["Alder Primary"]["g"] == pytest.approx(ga, abs=0.005)
    assert by_school["Birch Academy"]["g"] == pytest.approx(gb, abs=0.005)
    assert by_school["Alder Primary"]["mean"] == pytest.approx(
        np.mean(np.subtract(a_exits, a_entries)), abs=0.005)
    pooled_row = by_school["Trust (pooled, random effects)"]
    assert pooled_row["g"] == pytest.approx(pooled.mean_effect_re, abs=0.005)
    assert f"tau² = {pooled.tau2:.3f}" in pooled_row["note"]
    # Six and seven pupils: both marked small.
    assert by_school["Alder Primary"]["note"].startswith("Small group")
    # Expected progress: a gain of at least 5 (the measure's expected gain).
    share_a = 100 * np.mean(np.subtract(a_exits, a_entries) >= 5)
    assert by_school["Alder Primary"]["expected"] == pytest.approx(share_a)
    page = client.get(f"/trusts/{setup.trust.code}/provision/impact/").content.decode()
    assert "forest-spec" in page and "random-effects" in page


def test_another_schools_small_group_is_withheld_from_a_senco_and_left_out_of_the_pool(
        client, setup):
    pupils = [PupilFactory(school=setup.school_a) for _ in range(3)]
    _finished(setup.group, pupils, [80, 82, 84], [85, 88, 86])
    senco_b = login(client, setup, "senco_b").get(
        f"/api/v1/provision/trusts/{setup.trust.code}/impact").json()
    row = next(r for r in senco_b["rows"] if r["school"] == "Alder Primary")
    assert row["n"] == "fewer than 5"
    assert not any(r["school"].startswith("Trust") for r in senco_b["rows"])
    own = login(client, setup, "senco_a").get(
        f"/api/v1/provision/trusts/{setup.trust.code}/impact").json()
    assert next(r for r in own["rows"] if r["school"] == "Alder Primary")["n"] == 3


def test_provision_history_moves_with_the_pupil(client, setup):
    enrolment = services.enrol_pupil(setup.group, setup.pupil_a1, request=None,
                                     entry_score=Decimal(88))
    setup.pupil_a1.school = setup.school_b
    setup.pupil_a1.save()
    page = login(client, setup, "senco_b").get(f"/pupils/{setup.pupil_a1.code}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Reading boost" in text and "Alder Primary" in text and "88" in text
    enrolment.refresh_from_db()
    assert enrolment.school == setup.school_a  # impact stays with the school that ran it


def test_the_school_map_runs_the_same_queries_however_many_enrolments(client, setup):
    c = login(client, setup, "senco_a")
    url = f"/schools/{setup.school_a.code}/provision/"

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    services.enrol_pupil(setup.group, setup.pupil_a1, request=None)
    queries()  # the first request also refreshes the session
    few = queries()
    for _ in range(15):
        pupil = PupilFactory(school=setup.school_a)
        give_status(pupil, Provision.SUPPORT, "MLD")
        services.enrol_pupil(setup.group, pupil, request=None)
    assert queries() == few


def test_ehc_hours_shortfall_is_listed(client, setup):
    services.set_ehc_hours(setup.pupil_a2, request=None, hours_per_week=Decimal(10),
                           starts_on=dt.date.today() - dt.timedelta(days=60))
    page = login(client, setup, "send_leader").get(
        f"/trusts/{setup.trust.code}/provision/ehc-hours/").content.decode()
    assert "Ben Beech" in page and "Shortfall" in page


def test_the_map_filters_by_class_area_and_kind(client, setup):
    from sendtrust.organisations.models import TeachingGroup

    services.enrol_pupil(setup.group, setup.pupil_a1, request=None)
    services.enrol_pupil(setup.group, setup.pupil_a2, request=None)
    IndividualProvision.objects.create(
        pupil=setup.pupil_a2, school=setup.school_a, kind="equipment", area="Sensory and/or "
        "physical", description="Radio aid", annual_cost=Decimal(390),
        starts_on=dt.date.today())
    c = login(client, setup, "senco_a")
    url = f"/schools/{setup.school_a.code}/provision/"
    four_a = TeachingGroup.objects.get(name="4A")  # pupil_a1 only

    def the_map(**filters):
        page = c.get(url, filters).content.decode()
        return page[page.index("<h2>Provision map</h2>"):]

    page = the_map(teaching_group=four_a.code)
    assert "Ada Ash" in page and "Ben Beech" not in page and "class 4A" in page
    page = the_map(kind="equipment")
    assert "Radio aid" in page and "Reading boost group" not in page
    page = the_map(area="Cognition and learning")
    assert "Reading boost group" in page and "Radio aid" not in page
