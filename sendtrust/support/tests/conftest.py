import datetime as dt

import pytest

from sendtrust.support import services

TODAY = dt.date.today()


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def outcome(text="Reads 40 common words", target=None, **kw):
    return services.OutcomeInput(text, target or days(30), **kw)


@pytest.fixture(autouse=True)
def documents_dir(settings, tmp_path):
    """Documents go to a folder of this test, never var/documents."""
    settings.SENDTRUST_DOCUMENTS_DIR = tmp_path / "documents"
    return settings.SENDTRUST_DOCUMENTS_DIR


@pytest.fixture
def plan(cast):
    """A current plan for pupil_a1 with two outcomes, started 30 days ago, review in 10."""
    return services.create_plan(
        cast.pupil_a1, starts_on=days(-30), review_on=days(10),
        outcomes=[outcome("Reads 40 common words", strategies="Daily phonics"),
                  outcome("Asks for help in class", who="Class teacher")],
        by=cast.users["senco_a"], strengths="Kind and curious")
