"""The support figures per school and the live evidence read from them."""

import datetime as dt

from sendtrust.analytics.figures.support import support_figures
from sendtrust.analytics.tables import Withheld
from sendtrust.evaluation.evidence import evaluate
from sendtrust.pupils.models import Provision
from sendtrust.support import facts, services
from sendtrust.support.tests.conftest import days
from sendtrust.testing import PupilFactory, give_status


def test_term_and_year_starts():
    assert facts.term_start(dt.date(2025, 10, 3)) == dt.date(2025, 9, 1)
    assert facts.term_start(dt.date(2026, 2, 3)) == dt.date(2026, 1, 1)
    assert facts.term_start(dt.date(2026, 6, 3)) == dt.date(2026, 4, 13)  # Easter Sunday 5 April
    assert facts.year_start(dt.date(2026, 6, 3)) == dt.date(2025, 9, 1)


def support_pupils(school, n):
    out = []
    for _ in range(n):
        p = PupilFactory(school=school)
        give_status(p, Provision.SUPPORT, "SPLD")
        out.append(p)
    return out


def test_conversation_share_and_evidence_for_working_with_parents(cast):
    senco = cast.users["senco_b"]
    pupils = support_pupils(cast.school_b, 9)  # with pupil_b1: 10 on SEN support
    for p in pupils[:6]:
        services.log_conversation(p, status="held", on=days(0), actions=[], by=senco)
    services.log_conversation(pupils[6], status="scheduled", on=days(7), actions=[], by=senco)
    f = support_figures(cast.trust, cast.users["send_leader"])
    birch = dict((s.name, shares) for s, shares in f.rows)["Birch Academy"]
    share = birch["conversation_term"]
    assert (share.part, share.whole, share.percent) == (6, 10, 60.0)
    reading = evaluate("support_conversations_term", trust=cast.trust, school=cast.school_b,
                       user=cast.users["send_leader"])
    assert reading.available and reading.value == 60.0
    assert reading.text.startswith("60.0% of pupils on SEN support at Birch Academy")
    # A trustee sees no count from 1 to 4, nor a total that gives one away.
    hidden = support_figures(cast.trust, cast.users["trustee"])
    alder = dict((s.name, shares) for s, shares in hidden.rows)["Alder Primary"]
    assert isinstance(alder["conversation_term"].whole, Withheld)  # 1 pupil on SEN support
    birch_whole = dict((s.name, sh) for s, sh in hidden.rows)["Birch Academy"][
        "conversation_term"].whole
    total_whole = hidden.total["conversation_term"].whole
    # Alder's 1 cannot be worked out as the trust's total minus Birch's.
    assert isinstance(birch_whole, Withheld) or isinstance(total_whole, Withheld)
    withheld = evaluate("support_conversations_term", trust=cast.trust, school=cast.school_a,
                        user=cast.users["trustee"])
    assert withheld.suppressed and withheld.value is None


def test_reviews_on_time_count_the_overdue_plans_too(cast):
    senco = cast.users["senco_a"]
    on_time = services.create_plan(cast.pupil_a1, starts_on=days(-60), review_on=days(-1),
                                   outcomes=[services.OutcomeInput("A", days(-2))], by=senco)
    late = services.create_plan(cast.pupil_a2, starts_on=days(-60), review_on=days(-20),
                                outcomes=[services.OutcomeInput("B", days(-30))], by=senco)
    for plan, held in ((on_time, days(-1)), (late, days(-2))):
        progress = [services.ProgressInput(o, "achieved") for o in plan.outcomes.all()]
        services.record_review(plan, version=plan.version, held_on=held,
                               next_review_on=days(-1) if plan is late else days(30),
                               progress=progress, pupil_views="Happy", by=senco)
    counts = facts.counts_by_school([cast.school_a], days(0))[cast.school_a.pk]
    # Two reviews held (one on time, one late), and the late one's next cycle is overdue.
    assert (counts.reviews, counts.reviews_on_time, counts.reviews_due) == (2, 1, 3)
    assert counts.pupil_views == 2 and counts.parent_views == 0
    assert counts.sen == 2 and counts.with_plan == 2
    reading = evaluate("support_reviews_on_time", trust=cast.trust, school=cast.school_a)
    assert reading.value == 33.3


def test_no_data_yet_without_records(cast):
    reading = evaluate("support_pupil_views", trust=cast.trust, school=cast.school_b)
    assert not reading.available and reading.text.startswith("No data yet")


def test_weekly_digest_emails_each_senco_their_school_worklist(cast, mailoutbox):
    from django.core.management import call_command

    cast.users["senco_a"].email = "senco.a@example.org"
    cast.users["senco_a"].save()
    services.create_plan(cast.pupil_a1, starts_on=days(-60), review_on=days(-2),
                         outcomes=[services.OutcomeInput("Reads 40 words", days(-5))],
                         by=cast.users["senco_a"])
    call_command("support_digest", "--base-url", "https://send.example.org")
    assert len(mailoutbox) == 1  # senco_b has no email address; senco_a gets one
    mail = mailoutbox[0]
    assert mail.to == ["senco.a@example.org"]
    assert "1 review(s) overdue" in mail.subject
    assert "Ada Ash, review due" in mail.body
    assert f"https://send.example.org/schools/{cast.school_a.code}/support/" in mail.body
