"""The demo trust gets support records in every state, deterministically for a seed."""

from django.utils import timezone

from sendtrust.demo import support as demo_support
from sendtrust.demo.services import build_demo_trust
from sendtrust.support import facts
from sendtrust.support.models import Conversation, ExternalReport, SupportPlan


def test_demo_support_has_plans_in_every_state(db):
    result = build_demo_trust(schools=2, pupils=300, seed=3, password="demo-pass-123")
    counts = demo_support.seed(result.trust, seed=3)
    assert counts["support plans"] > 20 and counts["reviews"] > 5
    schools = list(result.trust.schools.all())
    today = timezone.localdate()
    assert facts.reviews_due(schools, today).exists()
    assert facts.reviews_overdue(schools, today).exists()
    assert facts.support_without_plan(schools).exists()
    assert SupportPlan.objects.filter(pupil__school__in=schools, status="reviewed",
                                      review__pupil_views__gt="",
                                      review__parent_views__gt="").exists()
    held = Conversation.objects.filter(pupil__school__in=schools, status="held",
                                       on__gte=facts.term_start(today))
    assert held.exists()
    assert ExternalReport.objects.filter(pupil__school__in=schools).count() == 1
    assert Conversation.objects.filter(status="requested").count() == 1
    assert SupportPlan.objects.filter(pupil__school__in=schools).count() == counts[
        "support plans"]
