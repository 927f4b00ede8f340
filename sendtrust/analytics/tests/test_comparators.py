"""One comparator per school, the same on every page, labelled with place, kind and year."""

import pytest

from sendtrust.analytics import figures
from sendtrust.analytics.tests.dfe import census_rates
from sendtrust.evaluation.evidence import evaluate
from sendtrust.organisations.models import School, Trust
from sendtrust.testing import SchoolFactory

pytestmark = pytest.mark.django_db

ENGLAND = "England, state-funded primary, January 2019"
BRISTOL = "Bristol, City of, state-funded primary, January 2019"


def test_a_school_has_the_same_comparators_on_every_page(client, cast, loaded):
    leader = cast.users["send_leader"]
    client.force_login(leader)
    school = cast.school_a
    expected = {ENGLAND: census_rates("State-funded primary"),
                BRISTOL: census_rates("State-funded primary", "801")}

    overview = next(r for r in client.get(f"/trusts/{cast.trust.code}/").context["rows"]
                    if r.school == school).compare
    seen = {"overview": {c.label: (c.sen_support_rate, c.ehcp_rate)
                         for c in (overview.national, overview.la)}}

    table = figures.analytics(cast.trust, leader, sections=set()).rates_table
    row = next(r for r in table.rows if r["school"] == school.name)
    seen["analytics"] = {row[f"{p}_label"]: (row[f"{p}_sen_support_rate"], row[f"{p}_ehcp_rate"])
                         for p in ("national", "la")}

    api = next(s for s in client.get("/api/v1/schools").json() if s["name"] == school.name)
    seen["api"] = {api[p]["label"]: (api[p]["sen_support_rate"], api[p]["ehcp_rate"])
                   for p in ("national", "la")}

    support = evaluate("sen_support_rate", trust=cast.trust, school=school, user=leader)
    ehcp = evaluate("ehcp_rate", trust=cast.trust, school=school, user=leader)
    by_label = {c.label: c.value for c in ehcp.comparisons}
    seen["evidence"] = {c.label: (c.value, by_label[c.label]) for c in support.comparisons
                        if not c.label.startswith("Trust")}

    # The public profile of another trust with a school of the same kind in the same LA.
    public = Trust.objects.create(name="Public", read_only=True)
    SchoolFactory(trust=public, name="Public Primary", urn="999991")
    client.force_login(cast.users["no_role"])
    row = client.get(f"/trusts/{public.code}/").context["rows"][0].compare
    seen["public profile"] = {c.label: (c.sen_support_rate, c.ehcp_rate)
                              for c in (row.national, row.la)}

    for page, found in seen.items():
        assert found == expected, page


def test_kinds_the_files_do_not_hold_say_so(cast, loaded):
    SchoolFactory(trust=cast.trust, name="Through", phase=School.Phase.ALL_THROUGH)
    SchoolFactory(trust=cast.trust, name="Sixth", phase=School.Phase.SIXTEEN_PLUS)
    SchoolFactory(trust=cast.trust, name="AP", phase=School.Phase.SECONDARY,
                  type=School.Type.ALTERNATIVE)
    rows = {f.name: f.compare for f in figures.school_rates(cast.trust, hide=False).rows}
    for name in ("Through", "Sixth"):
        assert not rows[name].national.available and rows[name].national.sen_support_rate is None
        assert rows[name].national.label.startswith("No like-for-like figure")
    assert "all-through" in rows["Through"].national.label
    assert "16 to 19" in rows["Sixth"].national.label
    # Alternative provision: the file's pupil referral units, like for like.
    assert rows["AP"].national.label == (
        "England, pupil referral unit and alternative provision, January 2019")
    assert (rows["AP"].national.sen_support_rate, rows["AP"].national.ehcp_rate) == (
        census_rates("Pupil referral unit"))
