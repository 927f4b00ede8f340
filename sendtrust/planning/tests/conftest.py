import datetime as dt

import pytest

from sendtrust.planning import services
from sendtrust.planning.models import Horizon


@pytest.fixture
def indicator(monkeypatch):
    """A registry indicator whose value the test sets: values["value"] (None = no data)."""
    from sendtrust.evaluation import evidence

    ind = evidence.Indicator("test_rate", "Test rate", "percent", ("analysis-of-send-data",),
                             "A figure for tests.")
    values = {"value": 10.0, "suppressed": False}
    monkeypatch.setitem(evidence.INDICATORS, ind.key, ind)
    real = evidence.evaluate

    def fake(key, *, trust, school=None, user=None, on=None):
        if key != ind.key:
            return real(key, trust=trust, school=school, user=user, on=on)
        v = values["value"]
        if values["suppressed"]:
            return evidence.Reading(ind, True, None, (), "Hidden: small numbers.", True)
        if v is None:
            return evidence.Reading(ind, False, None, (), "No data yet: nothing recorded.")
        return evidence.Reading(ind, True, v, (), f"{v:.1f}% in the test.")

    monkeypatch.setattr(evidence, "evaluate", fake)
    return values


@pytest.fixture
def plan(cast):
    """A one-year goal in trust A with an action owned by senco_a, due in 30 days."""
    sl = cast.users["send_leader"]
    goal = services.create_goal(cast.trust, horizon=Horizon.ONE_YEAR, title="Earlier help",
                                themes=["analysis-of-send-data"], by=sl)
    action = services.create_action(goal, title="Termly register review",
                                    owner=cast.users["senco_a"],
                                    due_on=dt.date.today() + dt.timedelta(days=30),
                                    schools=[cast.school_a], by=sl)
    return goal, action
