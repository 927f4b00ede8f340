"""Everything a trustee can reach, audited together: no withheld count can be worked out.

A trustee reads the overview, analytics (page, CSV, API), `/api/v1/schools`, the trust's
self-evaluation evidence and the strategic plan (page, print/PDF, API). The test gathers every
count and rate those show for the trust's schools, then asks a linear programme (scipy) for the
smallest and largest value each withheld count could take given all of them at once: each
range must be at least 3 wide. A published rate is treated as if the reader knew the exact
ratio, which is more than the rounded rate gives away.
"""

import csv
import io

import numpy as np
import pytest
from scipy.optimize import linprog

from sendtrust.analytics import figures
from sendtrust.analytics.tests.conftest import MIX
from sendtrust.evaluation.evidence import evaluate
from sendtrust.planning import services as planning
from sendtrust.planning.models import Horizon

pytestmark = pytest.mark.django_db

MEASURES = ("sen_support", "ehcp", "no_sen")
TOTAL = "Whole trust"


class Knowledge:
    """What a reader has seen: exact counts, and exact ratios count / pupils."""

    def __init__(self, truth: dict[str, tuple[int, int, int]]):
        self.truth = truth  # school -> (K, E, N)
        self.names = sorted(truth)
        self.known: set[tuple[str, str]] = set()
        self.ratios: set[tuple[str, str]] = set()

    def count(self, name: str, measure: str, value) -> None:
        if isinstance(value, int | float) and not isinstance(value, bool) and value is not None:
            assert value == self.value(name, measure), (name, measure, value)
            self.known.add((name, measure))

    def rate(self, name: str, measure: str, value) -> None:
        if isinstance(value, float):
            self.ratios.add((name, measure))

    def value(self, name: str, measure: str) -> int:
        rows = self.names if name == TOTAL else [name]
        k, e, n = (sum(self.truth[r][i] for r in rows) for i in range(3))
        return {"sen_support": k, "ehcp": e, "no_sen": n, "pupils": k + e + n}[measure]

    def _vector(self, name: str, measure: str) -> np.ndarray:
        """The count as a linear form over the school cells (K, E, N per school)."""
        v = np.zeros(3 * len(self.names))
        rows = self.names if name == TOTAL else [name]
        parts = MEASURES if measure == "pupils" else (measure,)
        for r in rows:
            for m in parts:
                v[3 * self.names.index(r) + MEASURES.index(m)] = 1
        return v

    def ranges(self) -> dict[tuple[str, str], tuple[float, float]]:
        """(min, max) of every count not seen, over all tables agreeing with what was seen."""
        a_eq, b_eq = [], []
        for name, measure in self.known:
            a_eq.append(self._vector(name, measure))
            b_eq.append(self.value(name, measure))
        for name, measure in self.ratios:
            pupils = self.value(name, "pupils")
            a_eq.append(pupils * self._vector(name, measure)
                        - self.value(name, measure) * self._vector(name, "pupils"))
            b_eq.append(0.0)
        out = {}
        for name in [*self.names, TOTAL]:
            for measure in (*MEASURES, "pupils"):
                if (name, measure) in self.known:
                    continue
                c = self._vector(name, measure)
                lo = linprog(c, A_eq=np.array(a_eq), b_eq=b_eq, bounds=(0, None))
                hi = linprog(-c, A_eq=np.array(a_eq), b_eq=b_eq, bounds=(0, None))
                assert lo.status == 0
                out[(name, measure)] = (lo.fun, np.inf if hi.status == 3 else -hi.fun)
        return out


def _number(text: str):
    text = text.strip().replace(",", "")
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        return None


@pytest.fixture
def trustee_view(client, small_trust, benchmarks):
    """A trust whose plan has a criterion per school, and the trustee signed in."""
    cast = small_trust
    trust = cast.trust
    leader = cast.users["send_leader"]
    goal = planning.create_goal(trust, horizon=Horizon.ONE_YEAR, title="Identify earlier",
                                themes=["analysis-of-send-data"], by=leader)
    for school in trust.schools.all():
        for key in ("sen_support_rate", "ehcp_rate"):
            planning.create_criterion(goal, indicator_key=key, school=school, target=None,
                                      by=leader)
    client.force_login(cast.users["trustee"])
    return cast


def test_no_withheld_count_can_be_worked_out_from_everything_a_trustee_reaches(
        client, trustee_view):
    cast = trustee_view
    trust = cast.trust
    leader = figures.school_rates(trust, hide=False)
    truth = {f.name: (f.sen_support, f.ehcp, f.no_sen) for f in leader.rows}
    assert truth["Ash Primary"][:2] == MIX["Ash Primary"][:2]  # small counts are there to hide
    seen = Knowledge(truth)

    # The overview page.
    r = client.get(f"/trusts/{trust.code}/")
    for f in [*r.context["rows"], r.context["total"]]:
        name = f.name
        for m in (*MEASURES, "pupils"):
            seen.count(name, m, getattr(f, m))
        seen.rate(name, "sen_support", f.sen_support_rate)
        seen.rate(name, "ehcp", f.ehcp_rate)

    # Analytics: the schools CSV, the same table through the API, and the funnel tables.
    base = f"/trusts/{trust.code}/analytics/"
    lines = list(csv.reader(io.StringIO(
        client.get(base + "schools.csv").content.decode("utf-8-sig"))))
    head = lines[0]
    for line in lines[1:]:
        if not line or line[0] not in [*truth, TOTAL]:
            continue
        row = dict(zip(head, line, strict=False))
        seen.count(line[0], "pupils", _number(row["Pupils"]))
        seen.count(line[0], "sen_support", _number(row["SEN support"]))
        seen.count(line[0], "ehcp", _number(row["EHC plans"]))
        seen.rate(line[0], "sen_support", _number(row["SEN support %"]))
        seen.rate(line[0], "ehcp", _number(row["EHC plan %"]))
    api = f"/api/v1/analytics/trusts/{trust.code}/"
    table = client.get(api + "schools").json()
    for row in table["rows"] + table["footer"]:
        v = row["values"]
        for m in ("pupils", "sen_support", "ehcp"):
            seen.count(v["school"], m, v[m])
        seen.rate(v["school"], "sen_support", v["sen_support_rate"])
        seen.rate(v["school"], "ehcp", v["ehcp_rate"])
    for funnel in client.get(api + "funnel").json():
        for row in funnel["table"]["rows"]:
            v = row["values"]
            seen.count(v["school"], "pupils", v["pupils"])
            seen.count(v["school"], funnel["measure"], v["count"])
            seen.rate(v["school"], funnel["measure"], v["rate"])

    # /api/v1/schools.
    for s in client.get("/api/v1/schools").json():
        for m in ("pupils", "sen_support", "ehcp"):
            seen.count(s["name"], m, s[m])
        seen.rate(s["name"], "sen_support", s["sen_support_rate"])
        seen.rate(s["name"], "ehcp", s["ehcp_rate"])

    # Self-evaluation evidence and the plan's criteria, for the trust and every school.
    trustee = cast.users["trustee"]
    for school in [None, *trust.schools.all()]:
        name = school.name if school else TOTAL
        for key, m in (("sen_support_rate", "sen_support"), ("ehcp_rate", "ehcp")):
            reading = evaluate(key, trust=trust, school=school, user=trustee)
            seen.rate(name, m, reading.value)
    goals = client.get(f"/api/v1/plan/trusts/{trust.code}/goals").json()
    names = {str(s.code): s.name for s in trust.schools.all()}
    for goal in goals:
        for c in goal["criteria"]:
            m = "sen_support" if c["indicator_key"] == "sen_support_rate" else "ehcp"
            for value in (c["baseline"], c["current"]):
                seen.rate(names[c["school_code"]], m, value)

    ranges = seen.ranges()
    hidden = {k for k in ranges}
    assert ("Ash Primary", "sen_support") in hidden and ("Ash Primary", "ehcp") in hidden
    narrow = {k: v for k, v in ranges.items() if v[1] - v[0] < 3 - 1e-6}
    assert not narrow, narrow
    print({k: (round(lo, 1), round(hi, 1)) for k, (lo, hi) in sorted(ranges.items())})


def test_a_trustee_never_sees_a_small_count_as_a_criterion_baseline(client, trustee_view):
    """Issue 9, fault 3: the baseline goes through the same suppression as the current value."""
    cast = trustee_view
    trust = cast.trust
    ash = trust.schools.get(name="Ash Primary")
    goal = trust.plan_goals.first()
    criterion = planning.create_criterion(goal, indicator_key="sen_support_rate", school=ash,
                                          target=None, by=cast.users["send_leader"],
                                          description="Ash identifies earlier")
    assert criterion.baseline == pytest.approx(100 * 3 / 30, abs=0.05)  # from 3 pupils
    shown = f"{criterion.baseline:.1f}%"
    page = client.get(f"/trusts/{trust.code}/plan/").content.decode()
    printed = client.get(f"/trusts/{trust.code}/plan/print/").content.decode()
    for body in (page, printed):
        assert shown not in body
    goals = client.get(f"/api/v1/plan/trusts/{trust.code}/goals").json()
    mine = next(c for g in goals for c in g["criteria"] if c["code"] == str(criterion.code))
    assert mine["baseline"] is None and mine["current"] is None
    # A leader sees the same baseline: the test can fail.
    client.force_login(cast.users["send_leader"])
    assert shown in client.get(f"/trusts/{trust.code}/plan/").content.decode()
