"""Live evidence: real figures from pupils built here and the DfE files loaded for tests."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from sendtrust.analytics.tests.dfe import census_rates
from sendtrust.benchmarks.models import Dataset, Figure
from sendtrust.evaluation import evidence
from sendtrust.evaluation.evidence import INDICATORS, evaluate, readings_for_theme, term_start
from sendtrust.evaluation.models import Theme
from sendtrust.evaluation.tests.helpers import open_round, shipped, unit_of
from sendtrust.organisations.models import Role
from sendtrust.pupils.models import Identification, SenEpisode
from sendtrust.testing import (
    PupilFactory,
    SchoolFactory,
    TrustFactory,
    UserFactory,
    give_status,
    member,
)

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("benchmarks")]
ON = dt.date(2026, 11, 20)  # autumn term: it began on 1 September 2026
CORE = ("sen_support_rate", "ehcp_rate", "need_mix", "register_added_sen_support",
        "register_added_ehcp", "register_removed", "identification_recorded")


def build_school(trust, name, *, pupils, support=(), ehcp=(), la="801", phase="primary"):
    """A school with `pupils` pupils; support/ehcp: primary need codes of its SEN pupils."""
    school = SchoolFactory(trust=trust, name=name, la_code=la, phase=phase)
    made = [PupilFactory(school=school) for _ in range(pupils)]
    for pupil, code in zip(made, support, strict=False):
        give_status(pupil, "K", code)
    for pupil, code in zip(made[len(support):], ehcp, strict=False):
        give_status(pupil, "E", code)
    return school, made


@pytest.fixture
def trust():
    return TrustFactory(name="Oak Trust")


def test_every_indicator_names_themes_of_the_shipped_framework():
    slugs = set(Theme.objects.filter(framework=shipped()).values_list("slug", flat=True))
    for indicator in INDICATORS.values():
        assert indicator.themes and set(indicator.themes) <= slugs, indicator.key


def test_sen_support_and_ehcp_rates_against_trust_national_and_la(loaded, trust):
    alder, _ = build_school(trust, "Alder", pupils=20, support=["SLCN"] * 3, ehcp=["ASD"])
    build_school(trust, "Birch", pupils=30, support=["MLD"] * 9)
    national = census_rates("State-funded primary")
    la = census_rates("State-funded primary", "801")
    england = "England, state-funded primary, January 2019"
    bristol = "Bristol, City of, state-funded primary, January 2019"

    reading = evaluate("sen_support_rate", trust=trust, school=alder, on=ON)
    assert reading.available and reading.value == 15.0  # 3 of 20
    values = {c.label: c.value for c in reading.comparisons}
    assert values["Trust (Oak Trust)"] == 24.0  # 12 of 50
    assert values[england] == national[0]
    assert values[bristol] == la[0]
    assert reading.text.startswith("15.0% of pupils at Alder are on SEN support")
    word = "above" if 15.0 > national[0] else "below"
    assert f"{word} {england} {national[0]:.1f}%" in reading.text

    ehcp = evaluate("ehcp_rate", trust=trust, school=alder, on=ON)
    assert ehcp.value == 5.0 and "have an EHC plan" in ehcp.text

    whole = evaluate("sen_support_rate", trust=trust, on=ON)
    assert whole.value == 24.0
    labels = [c.label for c in whole.comparisons]
    # Both schools are primaries in one local authority: the trust has like-for-like figures.
    assert labels == [england, bristol]


def test_no_data_yet_when_a_school_has_no_pupils_or_benchmarks_are_missing(trust):
    empty = SchoolFactory(trust=trust, name="Empty")
    for key in CORE:  # this module's indicators; other areas test those they register
        reading = evaluate(key, trust=trust, school=empty, on=ON)
        assert not reading.available and reading.value is None
        assert reading.text.startswith("No data yet"), key
        assert reading.shown == "No data yet"

    school, _ = build_school(trust, "Alder", pupils=10, support=["SLCN"] * 2)
    Dataset.objects.all().delete()
    reading = evaluate("sen_support_rate", trust=trust, school=school, on=ON)
    assert reading.available and reading.value == 20.0
    assert [c.label for c in reading.comparisons if c.value is not None] == ["Trust (Oak Trust)"]
    assert all("No like-for-like figure" in c.label for c in reading.comparisons[1:])
    whole = evaluate("sen_support_rate", trust=trust, on=ON)
    assert all(c.value is None for c in whole.comparisons)
    assert "no like-for-like national or local authority figure" in whole.text


def test_need_mix_against_the_local_authority_and_says_there_is_no_national(loaded, trust):
    codes = ["SLCN"] * 5 + ["SEMH"] * 3 + ["ASD"] * 2
    school, _ = build_school(trust, "Alder", pupils=40, support=codes)
    reading = evaluate("need_mix", trust=trust, school=school, on=ON)
    assert reading.available and reading.value == 50.0  # SLCN: 5 of 10
    la = Figure.objects.filter(level="la", la_code="801", phase="primary",
                               measure_id="sen_need_count").exclude(need="")
    latest = max(la.values_list("year", flat=True))
    la_counts = dict(la.filter(year=latest).values_list("need", "value"))
    expected = round(100 * la_counts["SLCN"] / sum(la_counts.values()), 1)
    local = reading.comparisons[0]
    assert local.label.endswith(": SLCN") and local.value == expected
    national = reading.comparisons[-1]
    assert national.value is None and "no figure by primary need" in national.label
    assert "speech, language and communication needs (SLCN) 50.0%" in reading.text
    assert f"against {expected:.1f}% locally" in reading.text


def test_register_changes_this_term(trust):
    school, pupils = build_school(trust, "Alder", pupils=6)
    a, b, c, d, e, _ = pupils
    give_status(a, "K", "SLCN", on=dt.date(2026, 9, 10))  # added to SEN support
    give_status(b, "K", "SLCN", on=dt.date(2026, 3, 1))  # before the term: not counted
    give_status(b, "E", "SLCN", on=dt.date(2026, 10, 1))  # given an EHC plan this term
    give_status(c, "K", "MLD", on=dt.date(2025, 9, 1))
    give_status(c, "N", on=dt.date(2026, 9, 1))  # removed on the first day of term
    give_status(d, "K", "MLD", on=dt.date(2025, 9, 1))
    give_status(d, "K", "SEMH", on=dt.date(2026, 10, 1))  # a change of need only
    give_status(e, "K", "MLD", on=dt.date(2026, 12, 1))  # after the day asked about
    assert term_start(ON) == dt.date(2026, 9, 1)
    got = {key: evaluate(key, trust=trust, school=school, on=ON).value for key in
           ["register_added_sen_support", "register_added_ehcp", "register_removed"]}
    assert got == {"register_added_sen_support": 1, "register_added_ehcp": 1,
                   "register_removed": 1}
    reading = evaluate("register_removed", trust=trust, school=school, on=ON)
    assert reading.text == ("1 pupil at Alder left the SEN register since the term began on "
                            "1 September 2026 (1 across the trust).")


def test_terms_follow_englands_usual_pattern():
    assert term_start(dt.date(2027, 2, 1)) == dt.date(2027, 1, 1)
    # Easter 2027 is 28 March: the summer term starts on Monday a week after Easter Monday.
    assert term_start(dt.date(2027, 5, 1)) == dt.date(2027, 4, 5)
    assert term_start(dt.date(2027, 3, 30)) == dt.date(2027, 1, 1)


def test_identification_recorded(trust):
    school, pupils = build_school(trust, "Alder", pupils=8, support=["SLCN", "MLD", "HI"],
                                  ehcp=["ASD"])
    episode = SenEpisode.objects.get(pupil=pupils[0], ends_on__isnull=True)
    Identification.objects.create(pupil=pupils[0], episode=episode, evidence="Assessment",
                                  identified_on=dt.date(2024, 1, 5), identified_by="SENCO")
    identified = evaluate("identification_recorded", trust=trust, school=school, on=ON)
    assert identified.value == 25.0  # 1 of 4
    assert identified.text == ("25.0% of pupils on Alder's SEN register have a record of who "
                               "identified their need and on what evidence, against 25.0% across "
                               "the trust.")


def test_trustees_never_see_counts_from_one_to_four(trust):
    school, _ = build_school(trust, "Alder", pupils=30, support=["SLCN"] * 3)
    trustee = UserFactory()
    member(trustee, Role.TRUSTEE, trust)
    leader = UserFactory()
    member(leader, Role.SEND_LEADER, trust)
    assert evaluate("sen_support_rate", trust=trust, school=school, user=leader).value == 10.0
    hidden = evaluate("sen_support_rate", trust=trust, school=school, user=trustee)
    assert hidden.suppressed and hidden.value is None and "3" not in hidden.text
    assert hidden.shown == "Withheld (fewer than 5)"
    assert hidden.comparisons == () or all(
        not c.label.startswith("Trust") for c in hidden.comparisons)
    need = evaluate("need_mix", trust=trust, school=school, user=trustee)
    assert need.suppressed and need.value is None


def test_readings_for_a_theme_and_for_a_whole_page_in_fixed_queries(trust, loaded):
    for n in range(3):
        build_school(trust, f"School {n}", pupils=10, support=["SLCN"] * 2)
    school = trust.schools.first()
    readings = readings_for_theme("accurate-assessment-and-identification", trust=trust,
                                  school=school)
    keys = [r.indicator.key for r in readings]
    assert "sen_support_rate" in keys and "need_mix" in keys
    assert readings_for_theme("governance", trust=trust, school=school) == []
    slugs = list(Theme.objects.filter(framework=shipped()).values_list("slug", flat=True))

    def count(t):
        """Queries with the stored figures made afresh (the first page after a write), then
        read back (analytics.RollCount, CensusCount, IdentifiedCount): neither may grow with
        the schools."""
        from sendtrust.analytics.models import CensusCount, IdentifiedCount, RollCount

        RollCount.objects.all().delete()
        CensusCount.objects.all().delete()
        IdentifiedCount.objects.all().delete()
        made = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as ctx:
                evidence.readings_by_theme(slugs, trust=t, school=t.schools.first())
            made.append(len(ctx))
        return made

    small = count(trust)
    for n in range(3, 9):
        build_school(trust, f"School {n}", pupils=3, support=["MLD"], la=f"8{n:02d}")
    assert count(trust) == small


def test_the_rating_page_shows_readings_beside_themes(cast, client, loaded):
    give_status(cast.pupil_a1, "K", "SLCN")
    round_ = open_round(cast)
    client.force_login(cast.users["senco_a"])
    page = client.get(f"/evaluation/units/{unit_of(round_, cast.school_a).code}/")
    body = page.content.decode()
    assert "Live evidence" in body
    assert "50.0% of pupils at Alder Primary are on SEN support" in body
    client.force_login(cast.users["send_leader"])
    body = client.get(f"/evaluation/units/{unit_of(round_).code}/").content.decode()
    expected = evaluate("sen_support_rate", trust=cast.trust).text
    assert escape(expected.split(";")[0]) in body
