"""Who may reach each route of the ehc app; read by access/tests/test_permission_matrix.py.

ROUTES: route name -> (method, {object name: (roles that succeed, roles refused with 403)},
how to build the path). Anyone else gets 404.

A pupil's journey: whoever may read the record (the parent sees their child's dates). Recording
steps and notes: the SEND leader and the pupil's SENCO. Worklists and the phase transfer list:
the school's headteacher and SENCO, the trust's SEND leader and executive. Compliance figures:
the same and trustees (suppressed). Import: the SEND leader and the school's SENCO. The calendar
page: everyone signed in; the feed itself is reached by its secret address alone (PUBLIC).
"""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from sendtrust.ehc import services
from sendtrust.ehc.clocks import Kind
from sendtrust.testing import ROLES

ALL = set(ROLES)
TRUST_A_MEMBERS = ALL - {"other_trust_senco", "no_role"}
LEADERS = {"send_leader", "executive"}
SCHOOL_A_STAFF = {"headteacher_a", "senco_a", "teacher_a", "ta_a"}
EVERYONE = {None: (ALL, set())}


def only(allowed):
    return (set(allowed), TRUST_A_MEMBERS - set(allowed))


PUPIL_VIEW = {
    "pupil_a1": (LEADERS | SCHOOL_A_STAFF | {"parent_a1", "external_a1"},
                 {"trustee", "senco_b"}),
    "pupil_a2": only(LEADERS | {"headteacher_a", "senco_a"}),
    "pupil_b1": only(LEADERS | {"senco_b"}),
    "other_pupil": ({"other_trust_senco"}, set()),
}
CHANGE = {
    "pupil_a1": only({"send_leader", "senco_a"}),
    "pupil_b1": only({"send_leader", "senco_b"}),
    "other_pupil": ({"other_trust_senco"}, set()),
}
SCHOOL_WORK = {
    "school_a": only(LEADERS | {"headteacher_a", "senco_a"}),
    "school_b": only(LEADERS | {"senco_b"}),
    "other_school": ({"other_trust_senco"}, set()),
}
SCHOOL_COMPLIANCE = {
    "school_a": only(LEADERS | {"trustee", "headteacher_a", "senco_a"}),
    "school_b": only(LEADERS | {"trustee", "senco_b"}),
    "other_school": ({"other_trust_senco"}, set()),
}
TRUST_WORK = {"trust": only(LEADERS), "other_trust": (set(), {"other_trust_senco"})}
TRUST_COMPLIANCE = {"trust": only(LEADERS | {"trustee"}),
                    "other_trust": (set(), {"other_trust_senco"})}
IMPORT = {
    "school_a": only({"send_leader", "senco_a"}),
    "school_b": only({"send_leader", "senco_b"}),
    "other_school": ({"other_trust_senco"}, set()),
}

ROUTES = {
    "ehc:journey": ("get", PUPIL_VIEW, lambda c, o: f"/pupils/{o.code}/ehc/"),
    "ehc:record_event": ("post", CHANGE, lambda c, o: f"/pupils/{o.code}/ehc/events/"),
    "ehc:record_note": ("post", CHANGE, lambda c, o: f"/pupils/{o.code}/ehc/notes/"),
    "ehc:school_worklist": ("get", SCHOOL_WORK, lambda c, o: f"/schools/{o.code}/ehc/"),
    "ehc:trust_worklist": ("get", TRUST_WORK, lambda c, o: f"/trusts/{o.code}/ehc/"),
    "ehc:trust_compliance": (
        "get", TRUST_COMPLIANCE, lambda c, o: f"/trusts/{o.code}/ehc/compliance/"),
    "ehc:school_compliance": (
        "get", SCHOOL_COMPLIANCE, lambda c, o: f"/schools/{o.code}/ehc/compliance/"),
    "ehc:trust_transfers": ("get", TRUST_WORK, lambda c, o: f"/trusts/{o.code}/ehc/transfers/"),
    "ehc:school_transfers": (
        "get", SCHOOL_WORK, lambda c, o: f"/schools/{o.code}/ehc/transfers/"),
    "ehc:import_events": ("get", IMPORT, lambda c, o: f"/schools/{o.code}/ehc/import/"),
    "ehc:import_events:post": ("post", IMPORT, lambda c, o: f"/schools/{o.code}/ehc/import/"),
    "ehc:import_template": (
        "get", IMPORT, lambda c, o: f"/schools/{o.code}/ehc/import/template.csv"),
    "ehc:calendar": ("get", EVERYONE, lambda c, o: "/ehc/calendar/"),
    "ehc:calendar:post": ("post", EVERYONE, lambda c, o: "/ehc/calendar/"),
    "api:ehc_journey": ("get", PUPIL_VIEW, lambda c, o: f"/api/v1/ehc/pupils/{o.code}"),
    "api:ehc_school_worklist": (
        "get", SCHOOL_WORK, lambda c, o: f"/api/v1/ehc/schools/{o.code}/worklist"),
    "api:ehc_trust_worklist": (
        "get", TRUST_WORK, lambda c, o: f"/api/v1/ehc/trusts/{o.code}/worklist"),
    "api:ehc_trust_compliance": (
        "get", TRUST_COMPLIANCE, lambda c, o: f"/api/v1/ehc/trusts/{o.code}/compliance"),
}

# The calendar feed is reached by its secret address alone, signed in or not
# (sendtrust/ehc/tests/test_calendar.py checks who gets what from it).
PUBLIC = {"ehc:calendar_feed"}
PUBLIC_PATHS = {"ehc:calendar_feed": ({"get"}, lambda c: "/ehc/calendar/no-such-feed.ics")}

PLAN_DAYS_AGO = 400  # the first annual review is overdue


def build_objects(cast):
    """A final plan for each pupil the rows name, issued 400 days ago."""
    on = dt.date.today() - dt.timedelta(days=PLAN_DAYS_AGO)
    for pupil in (cast.pupil_a1, cast.pupil_a2, cast.pupil_b1, cast.other_pupil):
        services.record_event(pupil, kind=Kind.FINAL_PLAN, on=on)
    cast.ehc_plan_on = on
    return cast


def post_data(cast, route, obj):
    today = dt.date.today().isoformat()
    if route == "ehc:record_event":
        return {"kind": Kind.REVIEW_MEETING, "on": today, "la_code": "", "outcome": ""}
    if route == "ehc:record_note":
        return {"deadline": f"annual_review:{cast.ehc_plan_on.isoformat()}", "type": "delay",
                "reason": "school_late"}
    if route == "ehc:import_events:post":
        pupil = {cast.school_a.pk: cast.pupil_a1, cast.school_b.pk: cast.pupil_b1}.get(
            obj.pk, cast.other_pupil)
        body = f"UPN,Event,Date\n{pupil.upn},Annual review meeting held,{today}\n"
        return {"file": SimpleUploadedFile("events.csv", io.BytesIO(body.encode()).read(),
                                           content_type="text/csv")}
    if route == "ehc:calendar:post":
        return {"include_names": ""}
    return {}
