"""Fetch-and-check helpers of the support pages and API: each loads the object, then asks the
one policy (sendtrust.access.policy.support) about its pupil. Unknown codes are 404."""

from __future__ import annotations

from django.http import Http404

from sendtrust.access.policy import support as rules
from sendtrust.access.policy.support import SupportRight
from sendtrust.organisations.models import School, Trust
from sendtrust.pupils.models import Pupil
from sendtrust.support.models import (
    ChronologyEntry,
    Conversation,
    Document,
    ExternalReport,
    SupportPlan,
)


def _first(qs):
    obj = qs.first()
    if obj is None:
        raise Http404("Not found")
    return obj


def get_pupil(user, code, right: SupportRight) -> Pupil:
    pupil = _first(Pupil.objects.select_related("school__trust").filter(code=code))
    return rules.require_support(user, right, pupil)


def get_plan(user, code, right: SupportRight = SupportRight.PLAN_VIEW) -> SupportPlan:
    plan = _first(SupportPlan.objects.select_related("pupil__school__trust").filter(code=code))
    rules.require_support(user, right, plan.pupil)
    return plan


def get_conversation(user, code, right=SupportRight.FAMILY_VIEW) -> Conversation:
    c = _first(Conversation.objects.select_related("pupil__school__trust").filter(code=code))
    rules.require_support(user, right, c.pupil)
    return c


def get_report(user, code, right=SupportRight.PLAN_VIEW) -> ExternalReport:
    r = _first(ExternalReport.objects.select_related("pupil__school__trust").filter(code=code))
    rules.require_support(user, right, r.pupil)
    return r


def get_entry(user, code, right=SupportRight.CHRONOLOGY_VIEW) -> ChronologyEntry:
    e = _first(ChronologyEntry.objects.select_related("pupil__school__trust").filter(code=code))
    rules.require_support(user, right, e.pupil)
    return e


def get_document(user, code) -> Document:
    d = _first(Document.objects.select_related("entry__pupil__school__trust").filter(code=code))
    rules.require_support(user, SupportRight.CHRONOLOGY_VIEW, d.entry.pupil)
    return d


def get_worklist_school(user, code) -> School:
    from sendtrust.access.policy import enforce

    school = _first(School.objects.select_related("trust").filter(code=code))
    return enforce(rules.decide_worklist(user, school), school)


def get_trust(user, code) -> Trust:
    from sendtrust.access.policy import enforce

    trust = _first(Trust.objects.filter(code=code))
    return enforce(rules.decide_trust_view(user, trust), trust)


def get_family_pupil(user, code) -> Pupil:
    """A child of this parent, with a current parent membership behind the link."""
    return get_pupil(user, code, SupportRight.PARENT)
