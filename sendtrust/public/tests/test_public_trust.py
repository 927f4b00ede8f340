"""Building a read-only trust from GIAS: the service, the command, the list page, the overview."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sendtrust.access.models import AuditEntry
from sendtrust.benchmarks.models import Establishment, EstablishmentLink
from sendtrust.organisations.models import School, Trust
from sendtrust.public import services
from sendtrust.public.tests.data import (
    CENSUS_ROWS,
    ELM,
    GIAS,
    GIAS_ROWS,
    OAK,
    census,
    load_public_data,
)
from sendtrust.pupils.models import Pupil

pytestmark = pytest.mark.django_db

OAK_URNS = {r[0] for r in GIAS_ROWS if r[6] == OAK}


@pytest.fixture
def no_gias(db):
    """No GIAS extract loaded. Another test on this worker may have committed the real DfE
    files (see the root conftest), so remove them inside this test's rolled-back transaction."""
    Establishment.objects.all().delete()


@pytest.fixture
def gias(tmp_path):
    load_public_data(tmp_path)
    return tmp_path


def school_rows(trust):
    return sorted(trust.schools.values_list(
        "pk", "urn", "name", "phase", "type", "la_code", "la_name", "number_on_roll"))


def test_build_creates_a_read_only_trust_with_its_gias_schools(gias):
    result = services.build_public_trust(OAK)
    trust = result.trust
    assert result.created and trust.read_only and trust.group_uid == OAK
    assert trust.name == "OAK LEARNING TRUST"
    assert set(trust.schools.values_list("urn", flat=True)) == OAK_URNS
    by_urn = {s.urn: s for s in trust.schools.all()}
    for urn, name, la, la_name, _kind, _phase, _, _, pupils in GIAS_ROWS:
        if urn in by_urn:
            s = by_urn[urn]
            assert (s.name, s.la_code, s.la_name) == (name, la, la_name)
            assert s.number_on_roll == int(float(pupils))
    assert by_urn["500001"].phase == School.Phase.PRIMARY
    assert by_urn["500002"].phase == School.Phase.SECONDARY
    special = by_urn["500003"]
    assert (special.phase, special.type) == ("", School.Type.SPECIAL)  # GIAS: Not applicable
    assert not Pupil.objects.filter(school__trust=trust).exists()


def test_a_school_of_a_trust_with_pupils_is_never_taken(gias, cast):
    result = services.build_public_trust(OAK)
    cast.school_a.refresh_from_db()
    assert cast.school_a.trust == cast.trust  # still the real trust's
    assert "100001" not in set(result.trust.schools.values_list("urn", flat=True))
    assert len(result.skipped) == 1 and "URN 100001" in result.skipped[0]
    lines = " ".join(result.summary())
    assert "100001" in lines and "cannot be shown in a public profile" in lines
    # Nothing about the trust that holds it: not its name, nor that it holds pupils.
    assert cast.trust.name not in lines and "pupil" not in lines.lower()


def test_building_twice_gives_the_same_rows(gias):
    first = services.build_public_trust(OAK)
    before = school_rows(first.trust)
    second = services.build_public_trust(OAK)
    assert second.trust.pk == first.trust.pk and not second.created
    assert school_rows(second.trust) == before
    assert not (second.added or second.updated or second.removed)
    assert len(second.unchanged) == len(before)
    assert Trust.objects.filter(group_uid=OAK).count() == 1


def test_a_school_that_left_the_trust_is_removed_and_reported(gias, tmp_path):
    services.build_public_trust(OAK)
    left = [(*r[:6], "", "", r[8]) if r[0] == "500002" else r for r in GIAS_ROWS]
    load_public_data(tmp_path / "later", gias_rows=left)
    result = services.build_public_trust(OAK)
    assert not result.trust.schools.filter(urn="500002").exists()
    assert result.removed == ["Oak Secondary Academy (URN 500002)"]
    assert any("left the trust" in line for line in result.summary())


def test_a_school_that_moved_between_public_trusts_follows_gias(gias, tmp_path):
    elm = services.build_public_trust(ELM).trust
    moved = [(*r[:6], OAK, "OAK LEARNING TRUST", r[8]) if r[0] == "500010" else r
             for r in GIAS_ROWS]
    load_public_data(tmp_path / "later", gias_rows=moved)
    result = services.build_public_trust(OAK)
    assert School.objects.get(urn="500010").trust == result.trust
    assert result.moved and elm.name in result.moved[0]


def test_numeric_codes_are_found_with_or_without_the_decimal(gias):
    assert services.build_public_trust("3320").trust.group_uid == "3320"
    again = services.build_public_trust(ELM)  # "3320.0", as the extract writes it
    assert not again.created and again.trust.schools.count() == 1


def test_unknown_code_names_the_extract(gias):
    with pytest.raises(services.PublicTrustError) as err:
        services.build_public_trust("TR99999")
    assert str(err.value) == f"no trust TR99999 in the GIAS extract loaded from {GIAS}"
    assert not Trust.objects.filter(read_only=True).exists()


def test_without_benchmarks_it_says_to_load_them(no_gias):
    with pytest.raises(services.PublicTrustError, match="benchmarks not loaded: run manage.py "
                                                         "load_benchmarks DIR"):
        services.build_public_trust(OAK)


def test_a_failure_part_way_leaves_nothing(gias, monkeypatch):
    real = services._school_values

    def fail_on_second(e):
        if e.urn == "500002":
            raise RuntimeError("disk full")
        return real(e)

    monkeypatch.setattr(services, "_school_values", fail_on_second)
    with pytest.raises(RuntimeError):
        services.build_public_trust(OAK)
    assert not Trust.objects.filter(group_uid=OAK).exists()
    assert not School.objects.filter(urn__in=OAK_URNS - {"100001"}).exists()


def test_gias_trusts_lists_counts_and_authorities(gias):
    trusts = {t.code: t for t in services.gias_trusts()}
    assert set(trusts) == {OAK, "3320"}
    oak = trusts[OAK]
    assert oak.schools == len(OAK_URNS)
    assert oak.la_names == tuple(sorted({r[3] for r in GIAS_ROWS if r[6] == OAK}))
    assert [t.code for t in services.gias_trusts("elm")] == ["3320"]


# ---------------------------------------------------------------------------- the command


def test_command_builds_and_reports(gias, cast):
    out = StringIO()
    call_command("public_trust", trust_code=OAK, stdout=out)
    text = out.getvalue()
    trust = Trust.objects.get(group_uid=OAK)
    assert "OAK LEARNING TRUST (TR01234) created" in text
    assert "not added: Alder Primary (URN 100001)" in text
    assert f"/trusts/{trust.code}/" in text
    out = StringIO()
    call_command("public_trust", trust_code=OAK, stdout=out)
    assert "refreshed" in out.getvalue() and "0 added" in out.getvalue()


def test_command_lists_trusts(gias):
    out = StringIO()
    call_command("public_trust", "--list", stdout=out)
    lines = out.getvalue().splitlines()
    assert any(line.startswith(OAK) and f" {len(OAK_URNS)}  OAK LEARNING TRUST" in line
               for line in lines)
    assert lines[-1] == "2 trust(s)"


def test_command_errors_are_clear(no_gias, tmp_path):
    with pytest.raises(CommandError, match="benchmarks not loaded"):
        call_command("public_trust", trust_code=OAK)
    load_public_data(tmp_path)
    with pytest.raises(CommandError, match="no trust TR99999 in the GIAS extract loaded from"):
        call_command("public_trust", trust_code="TR99999")


# ---------------------------------------------------------------------------- the pages


def test_list_page_searches_and_builds(client, gias, cast):
    client.force_login(cast.users["send_leader"])
    r = client.get("/public-trusts/")
    body = r.content.decode()
    assert r.status_code == 200 and "OAK LEARNING TRUST" in body and "ELM SCHOOLS TRUST" in body
    assert "Camden, Greenwich" in body
    r = client.get("/public-trusts/", {"q": "oak"})
    assert "OAK LEARNING TRUST" in r.content.decode()
    assert "ELM SCHOOLS TRUST" not in r.content.decode()
    r = client.post("/public-trusts/build/", {"code": OAK})
    trust = Trust.objects.get(group_uid=OAK, read_only=True)
    assert r.status_code == 302 and r["Location"] == f"/trusts/{trust.code}/"
    entry = AuditEntry.objects.get(action="public_trust.built")
    assert entry.trust_id_at_time == trust.pk
    # Now the list links to the profile and offers to refresh it.
    body = client.get("/public-trusts/").content.decode()
    assert f"/trusts/{trust.code}/" in body and "Refresh profile" in body


def test_building_an_unknown_trust_says_why(client, gias, cast):
    client.force_login(cast.users["send_leader"])
    r = client.post("/public-trusts/build/", {"code": "TR99999"}, follow=True)
    assert "no trust TR99999 in the GIAS extract" in r.content.decode()
    assert not Trust.objects.filter(read_only=True).exists()


def test_list_page_without_gias_says_what_to_load(client, cast, no_gias):
    client.force_login(cast.users["send_leader"])
    body = client.get("/public-trusts/").content.decode()
    assert "benchmarks not loaded: run manage.py load_benchmarks DIR" in body


def test_build_needs_a_post(client, gias, cast):
    client.force_login(cast.users["no_role"])
    assert client.get("/public-trusts/build/").status_code == 405


def overview_row(response, urn):
    return next(r for r in response.context["rows"] if r.school.urn == urn)


def summed(kind: str, la: str | None = None) -> tuple[float, float]:
    """SEN support and EHC plan % of the fixture's school rows of one kind (and LA)."""
    rows = [census(r[0]) for r in CENSUS_ROWS
            if r[0] != "NAT" and r[3] == kind and (la is None or r[1] == la)]
    pupils = sum(r["NOR"] for r in rows)
    return (round(100 * sum(r["TSENELK"] for r in rows) / pupils, 1),
            round(100 * sum(r["TSENELSE"] for r in rows) / pupils, 1))


def test_overview_shows_published_census_figures_against_the_same_year(client, gias, cast):
    trust = services.build_public_trust(OAK).trust
    client.force_login(cast.users["parent_a1"])  # any signed-in user may read it
    r = client.get(f"/trusts/{trust.code}/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "built from public data alone" in body and "holds no pupil records" in body
    primary = overview_row(r, "500001")
    row = census("500001")
    assert (primary.pupils, primary.sen_support, primary.ehcp) == (
        row["NOR"], row["TSENELK"], row["TSENELSE"])
    assert primary.census.period == "2019"
    assert f"{row['PSENELK']:.1f}%" in body
    # Like for like: England's and Camden's state-funded primaries, summed from the file's rows.
    national, la = primary.compare.national, primary.compare.la
    assert national.label == "England, state-funded primary, January 2019"
    assert (national.sen_support_rate, national.ehcp_rate) == summed("State-funded primary")
    assert la.label == "Camden, state-funded primary, January 2019"
    assert (la.sen_support_rate, la.ehcp_rate) == summed("State-funded primary", "202")
    special = overview_row(r, "500003")
    assert special.pupils == census("400003")["NOR"]
    assert "predecessor, URN 400003" in special.note
    assert special.compare.national.label == "England, state-funded special, January 2019"
    assert "Oak Special Academy: figures of its predecessor, URN 400003" in body
    assert "DfE school census, January 2019" in body  # the source, named
    assert "summed from its school rows), 2019." in body  # in full, not cut at its semicolon
    total = r.context["total"]
    with_figures = [census(u) for u in ("500001", "500002", "400003")]
    assert total.pupils == sum(c["NOR"] for c in with_figures)
    assert total.ehcp == sum(c["TSENELSE"] for c in with_figures)


def test_a_predecessor_is_counted_once_in_a_public_trust(client, gias, cast):
    """A split school whose GIAS predecessor is another school of the trust gets no figures."""
    trust = services.build_public_trust(OAK).trust
    link = EstablishmentLink.objects.first()
    EstablishmentLink.objects.create(urn="500099", linked_urn="500001", dataset=link.dataset,
                                     link_type="Predecessor - Split school")
    School.objects.create(trust=trust, urn="500099", name="Oak Primary Annexe",
                          phase="primary", la_code="202", la_name="Camden")
    client.force_login(cast.users["no_role"])
    r = client.get(f"/trusts/{trust.code}/")
    annexe = overview_row(r, "500099")
    assert annexe.pupils is None and annexe.census is None
    assert "counted once, under Oak Primary Academy" in annexe.note
    total = r.context["total"]
    with_figures = [census(u) for u in ("500001", "500002", "400003")]
    assert total.pupils == sum(c["NOR"] for c in with_figures)  # 500001 counted once
    body = r.content.decode()
    assert "Oak Primary Annexe: its predecessor" in body


def test_overview_queries_do_not_grow_with_schools(client, gias, cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    trust = services.build_public_trust(OAK).trust
    client.force_login(cast.users["no_role"])
    client.get(f"/trusts/{trust.code}/")
    with CaptureQueriesContext(connection) as small:
        client.get(f"/trusts/{trust.code}/")
    for i in range(10):
        School.objects.create(trust=trust, urn=f"60000{i}", name=f"Extra {i}", phase="primary",
                              la_code="202", la_name="Camden")
    with CaptureQueriesContext(connection) as large:
        client.get(f"/trusts/{trust.code}/")
    assert len(small) == len(large)


def test_public_trust_refuses_writes(client, gias, cast):
    trust = services.build_public_trust(OAK).trust
    school = trust.schools.first()
    client.force_login(cast.users["send_leader"])
    assert client.get(f"/schools/{school.code}/import/").status_code == 404
    assert client.get(f"/schools/{school.code}/register/").status_code == 404
