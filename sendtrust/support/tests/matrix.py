"""Who may reach each route of the support app; read by access/tests/test_permission_matrix.py.

ROUTES: route name -> (method, {object name: (roles that succeed, roles refused with 403)},
how to build the path). Anyone else must get 404. A route with a form has two rows: the GET
and the POST (":post").

The cast (sendtrust/testing.py): pupil_a1 is taught by teacher_a and ta_a, is parent_a1's
child and is assigned to external_a1. Added here: support_pupil_expired, a pupil of school A
whose assignment to external_a1 ended yesterday (the professional is refused); pupil_a2 is
the child parent_a1 is not linked to and whom teacher_a does not (or no longer) teach.
"""

import datetime as dt
import tempfile

from django.test import override_settings

from sendtrust.organisations.models import ExternalAssignment
from sendtrust.pupils.models import Provision
from sendtrust.support import services
from sendtrust.support.models import Outcome
from sendtrust.testing import ROLES, PupilFactory, give_status

ALL = set(ROLES)
TRUST_A_MEMBERS = ALL - {"other_trust_senco", "no_role"}
EVERYONE = {None: (ALL, set())}

# Capacity -> the cast member who holds it towards each pupil (see policy/support.py).
A1 = {"leader": "send_leader", "executive": "executive", "head": "headteacher_a",
      "senco": "senco_a", "teacher": "teacher_a", "ta": "ta_a", "parent": "parent_a1",
      "external": "external_a1"}
A2 = {"leader": "send_leader", "executive": "executive", "head": "headteacher_a",
      "senco": "senco_a"}
B1 = {"leader": "send_leader", "executive": "executive", "senco": "senco_b"}
OTHER = {"senco": "other_trust_senco"}
HOLDERS = {"pupil_a1": A1, "pupil_a2": A2, "support_pupil_expired": A2, "pupil_b1": B1,
           "other_pupil": OTHER}

GRANTS = {
    "plan_view": {"leader", "executive", "head", "senco", "teacher", "ta", "external"},
    "plan_edit": {"leader", "senco", "teacher"},
    "voice": {"leader", "senco", "teacher", "ta"},
    "family_view": {"leader", "executive", "head", "senco", "teacher"},
    "family_edit": {"leader", "senco", "teacher"},
    "chronology_view": {"leader", "executive", "head", "senco"},
    "chronology_edit": {"leader", "senco"},
    "report_write": {"leader", "senco", "external"},
    "report_accept": {"leader", "senco"},
    "parent": {"parent"},
}


def cases(right: str, objects: dict[str, str]) -> dict:
    """{object name: (allowed, refused)} for objects belonging to the given pupils."""
    out = {}
    for obj, pupil in objects.items():
        holders = HOLDERS[pupil]
        allowed = {role for cap, role in holders.items() if cap in GRANTS[right]}
        members = TRUST_A_MEMBERS if pupil != "other_pupil" else {"other_trust_senco"}
        out[obj] = (allowed, members - allowed)
    return out


PUPILS = {"pupil_a1": "pupil_a1", "pupil_a2": "pupil_a2",
          "support_pupil_expired": "support_pupil_expired", "other_pupil": "other_pupil"}
NO_PLAN = {"pupil_b1": "pupil_b1", "support_pupil_expired": "support_pupil_expired"}
PLANS = {"support_plan_a1": "pupil_a1", "support_plan_a2": "pupil_a2",
         "support_plan_other": "other_pupil"}
CONVERSATIONS = {"support_conversation_a1": "pupil_a1",
                 "support_conversation_other": "other_pupil"}
REPORTS = {"support_report_a1": "pupil_a1"}
DOCUMENTS = {"support_document_a1": "pupil_a1"}
FAMILY = {"pupil_a1": "pupil_a1", "pupil_a2": "pupil_a2", "other_pupil": "other_pupil"}

WORKLIST = {
    "school_a": ({"send_leader", "executive", "headteacher_a", "senco_a"},
                 TRUST_A_MEMBERS - {"send_leader", "executive", "headteacher_a", "senco_a"}),
    "school_b": ({"send_leader", "executive", "senco_b"},
                 TRUST_A_MEMBERS - {"send_leader", "executive", "senco_b"}),
    "other_school": ({"other_trust_senco"}, set()),
}
TRUST_VIEW = {
    "trust": ({"send_leader", "executive", "trustee"},
              TRUST_A_MEMBERS - {"send_leader", "executive", "trustee"}),
    "other_trust": (set(), {"other_trust_senco"}),
}


def _rows(name, url, right, objects, methods=("get",)):
    rows = {}
    for method in methods:
        key = f"support:{name}" + (":post" if method == "post" else "")
        rows[key] = (method, cases(right, objects), url)
    return rows


def P(path):
    return lambda c, o: path.format(o=o)


ROUTES = {
    **_rows("pupil_support", P("/pupils/{o.code}/support/"), "plan_view", PUPILS),
    **_rows("add_plan", P("/pupils/{o.code}/support/new/"), "plan_edit", PUPILS),
    **{"support:add_plan:post": ("post", cases("plan_edit", NO_PLAN),
                                 P("/pupils/{o.code}/support/new/"))},
    **_rows("edit_profile", P("/pupils/{o.code}/profile/"), "plan_edit", PUPILS,
            ("get", "post")),
    **_rows("profile_print", P("/pupils/{o.code}/profile/print/"), "plan_view", PUPILS),
    **_rows("add_conversation", P("/pupils/{o.code}/conversations/new/"), "family_edit",
            PUPILS, ("get", "post")),
    **_rows("add_report", P("/pupils/{o.code}/reports/new/"), "report_write", PUPILS,
            ("get", "post")),
    **_rows("chronology", P("/pupils/{o.code}/chronology/"), "chronology_view", PUPILS),
    **_rows("add_chronology", P("/pupils/{o.code}/chronology/new/"), "chronology_edit",
            PUPILS, ("get", "post")),
    **_rows("plan_detail", P("/support-plans/{o.code}/"), "plan_view", PLANS),
    **_rows("edit_plan", P("/support-plans/{o.code}/edit/"), "plan_edit", PLANS,
            ("get", "post")),
    **_rows("review_plan", P("/support-plans/{o.code}/review/"), "plan_edit", PLANS,
            ("get", "post")),
    **_rows("pupil_voice", P("/support-plans/{o.code}/voice/"), "voice", PLANS,
            ("get", "post")),
    **_rows("plan_pdf", P("/support-plans/{o.code}/support-plan.pdf"), "plan_view",
            {"support_plan_a1": "pupil_a1", "support_plan_a2": "pupil_a2"}),
    **_rows("conversation", P("/conversations/{o.code}/"), "family_view", CONVERSATIONS),
    **_rows("edit_conversation", P("/conversations/{o.code}/edit/"), "family_edit",
            CONVERSATIONS, ("get", "post")),
    **_rows("report", P("/reports/{o.code}/"), "plan_view", REPORTS),
    "support:accept_report": ("post", cases("report_accept", REPORTS),
                              P("/reports/{o.code}/accept/")),
    **_rows("download_document", P("/documents/{o.code}/"), "chronology_view", DOCUMENTS),
    "support:school_worklist": ("get", WORKLIST, P("/schools/{o.code}/support/")),
    "support:trust_support": ("get", TRUST_VIEW, P("/trusts/{o.code}/support/")),
    "support:trust_support_export": ("get", TRUST_VIEW,
                                     P("/trusts/{o.code}/support/support-plans.csv")),
    "support:family_home": ("get", EVERYONE, lambda c, o: "/family/"),
    **_rows("family_child", P("/family/{o.code}/"), "parent", FAMILY),
    **_rows("family_views", P("/family/{o.code}/views/"), "parent", FAMILY, ("get", "post")),
    "support:family_request": ("post", cases("parent", FAMILY), P("/family/{o.code}/ask/")),
    **_rows("family_plan_pdf", P("/family/{o.code}/support-plan.pdf"), "parent",
            {"pupil_a1": "pupil_a1", "pupil_a2": "pupil_a2"}),
    # API
    **_rows("api:support_pupil", P("/api/v1/support/pupils/{o.code}"), "plan_view", PUPILS),
    **_rows("api:support_plans", P("/api/v1/support/pupils/{o.code}/plans"), "plan_view",
            PUPILS),
    **_rows("api:support_plan", P("/api/v1/support/plans/{o.code}"), "plan_view", PLANS),
    **_rows("api:support_review", P("/api/v1/support/plans/{o.code}/review"), "plan_view",
            PLANS),
    **_rows("api:support_conversations", P("/api/v1/support/pupils/{o.code}/conversations"),
            "family_view", PUPILS),
    **_rows("api:support_chronology", P("/api/v1/support/pupils/{o.code}/chronology"),
            "chronology_view", PUPILS),
}
# The API rows are named "api:..." by the router, not "support:api:...".
ROUTES = {k.replace("support:api:", "api:"): v for k, v in ROUTES.items()}
# The API's writes (JSON bodies, see post_data): the same rights as the forms.
ROUTES.update({
    "api:support_plans:post": ("post", cases("plan_edit", NO_PLAN),
                               P("/api/v1/support/pupils/{o.code}/plans")),
    "api:support_plan:post": ("post", cases("plan_edit", PLANS),
                              P("/api/v1/support/plans/{o.code}")),
    "api:support_review:post": ("post", cases("plan_edit", PLANS),
                                P("/api/v1/support/plans/{o.code}/review")),
    "api:support_conversations:post": ("post", cases("family_edit", PUPILS),
                                       P("/api/v1/support/pupils/{o.code}/conversations")),
    "api:support_chronology:post": ("post", cases("chronology_edit", PUPILS),
                                    P("/api/v1/support/pupils/{o.code}/chronology")),
})

# A one-page PDF, enough for filetype to recognise.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def build_objects(cast):
    """Plans for pupil_a1, pupil_a2 and the other trust's pupil; a conversation, a report
    and a document for pupil_a1; a pupil whose professional's assignment has ended."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    u = cast.users
    today = dt.date.today()
    # Documents of these tests go to a throwaway folder, never var/documents.
    override_settings(SENDTRUST_DOCUMENTS_DIR=tempfile.mkdtemp(prefix="support-docs-")).enable()
    expired = PupilFactory(school=cast.school_a, forename="Eve", surname="Elm")
    give_status(expired, Provision.SUPPORT, "MLD")
    ExternalAssignment.objects.create(
        professional=u["external_a1"], pupil=expired, reason="Assessment",
        starts_on=today - dt.timedelta(days=60), ends_on=today - dt.timedelta(days=1))
    cast.support_pupil_expired = expired

    def plan(pupil, by):
        return services.create_plan(
            pupil, starts_on=today - dt.timedelta(days=30), review_on=today + dt.timedelta(10),
            outcomes=[services.OutcomeInput("Reads 40 common words", today + dt.timedelta(10),
                                            "Daily phonics", "Small group, 3 x 20 min", "TA")],
            by=by, strengths="Kind and curious")

    cast.support_plan_a1 = plan(cast.pupil_a1, u["senco_a"])
    cast.support_plan_a2 = plan(cast.pupil_a2, u["senco_a"])
    cast.support_plan_other = plan(cast.other_pupil, u["other_trust_senco"])

    def conversation(pupil, by):
        return services.log_conversation(
            pupil, status="held", actions=[], by=by, on=today - dt.timedelta(days=3),
            attendees="Mum, SENCO", language="English", explore="Sleep is hard",
            staff_notes="Staff only: social care involved")

    cast.support_conversation_a1 = conversation(cast.pupil_a1, u["senco_a"])
    cast.support_conversation_other = conversation(cast.other_pupil, u["other_trust_senco"])
    cast.support_report_a1 = services.add_report(
        cast.pupil_a1, visited_on=today - dt.timedelta(days=2), title="Speech assessment",
        findings="Expressive language delay", recommendations="Visual timetable",
        by=u["external_a1"])
    entry = services.add_chronology_entry(
        cast.pupil_a1, on=today - dt.timedelta(days=5), kind="letter", title="Letter home",
        upload=SimpleUploadedFile("letter.pdf", PDF_BYTES, "application/pdf"),
        by=u["senco_a"])
    cast.support_document_a1 = entry.documents.get()
    return cast


def post_data(cast, route, obj):
    today = dt.date.today()
    iso = today.isoformat
    later = (today + dt.timedelta(days=42)).isoformat()
    plan_fields = {"starts_on": iso(), "review_on": later, "strengths": "Loves drawing",
                   "outcome_1_description": "Writes a sentence unaided",
                   "outcome_1_target_on": later}
    if route == "support:add_plan:post":
        return plan_fields
    if route == "support:edit_plan:post":
        return {**plan_fields, "version": obj.version}
    if route == "support:review_plan:post":
        data = {"held_on": iso(), "next_review_on": later, "version": obj.version,
                "pupil_views": "I like reading now"}
        for o in Outcome.objects.filter(plan=obj):
            data[f"progress_{o.pk}"] = "partly"
            data[f"carry_{o.pk}"] = "on"
        return data
    if route == "support:pupil_voice:post":
        return {"feel_school": "happy", "helps": "time"}
    if route == "support:edit_profile:post":
        return {"admire": "Funny", "important": "My dog", "support": "Give me time"}
    if route in ("support:add_conversation:post", "support:edit_conversation:post"):
        return {"status": "held", "on": iso(), "language": "English", "explore": "Home life",
                "shared_with_family": "on"}
    if route == "support:add_report:post":
        return {"visited_on": iso(), "title": "Visit", "findings": "Found",
                "recommendations": "Recommend"}
    if route == "support:add_chronology:post":
        return {"on": iso(), "kind": "letter", "title": "Letter"}
    if route == "support:family_views:post":
        return {"going_well": "Happier at home"}
    api_plan = {"starts_on": iso(), "review_on": later, "strengths": "Loves drawing",
                "outcomes": [{"description": "Writes a sentence unaided", "target_on": later}]}
    if route == "api:support_plans:post":
        return api_plan
    if route == "api:support_plan:post":
        return {**api_plan, "version": obj.version}
    if route == "api:support_review:post":
        return {"version": obj.version, "held_on": iso(), "next_review_on": later,
                "progress": [{"outcome_code": str(o.code), "progress": "partly",
                              "carry_forward": True} for o in Outcome.objects.filter(plan=obj)]}
    if route == "api:support_conversations:post":
        return {"status": "held", "on": iso(), "explore": "Home life"}
    if route == "api:support_chronology:post":
        return {"on": iso(), "kind": "letter", "title": "Letter"}
    if route == "support:family_request:post":
        return {"note": "About homework"}
    return {}
