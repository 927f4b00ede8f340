"""Who may reach each route of this area, read by sendtrust/access/tests/test_permission_matrix.py.

ROUTES: route name -> (method, {object name: (roles that succeed, roles refused with 403)},
how to build the path). Anyone else must get 404. See sendtrust/evaluation/tests/matrix.py.

Trust analytics: SEND leader, executive and trustee (the trustee sees it suppressed). School
analytics: SEND leader, executive, and the school's headteacher and SENCO. A read-only trust
built from public data is open to anyone signed in.
"""

from django.utils import timezone

from sendtrust.ops.models import Job
from sendtrust.organisations.models import School, Trust
from sendtrust.testing import ROLES

ALL = set(ROLES)
TRUST_A_MEMBERS = ALL - {"other_trust_senco", "no_role"}
SL, EX, TR = "send_leader", "executive", "trustee"


def only(*allowed_sets):
    allowed = set().union(*allowed_sets)
    return (allowed, TRUST_A_MEMBERS - allowed)


TRUST = {
    "trust": only({SL, EX, TR}),
    "other_trust": (set(), {"other_trust_senco"}),
    "public_trust": (ALL, set()),
}
SCHOOL = {
    "school_a": only({SL, EX, "headteacher_a", "senco_a"}),
    "school_b": only({SL, EX, "senco_b"}),
    "other_school": ({"other_trust_senco"}, set()),
    "public_school": (ALL, set()),
}


def _trust_path(suffix):
    return lambda c, o: f"/trusts/{o.code}/analytics/{suffix}"


def _job_path(suffix):
    return lambda c, o: f"/trusts/{o.trust.code}/analytics/report/{o.code}/{suffix}"


# The leader's own report: the other readers of the analytics get 404 (not theirs).
REPORT_JOB = {"analytics_report_job": ({SL}, TRUST_A_MEMBERS - {SL, EX, TR})}


def _school_path(suffix):
    return lambda c, o: f"/schools/{o.code}/analytics/{suffix}"


# Route names avoid a leading "school" after the namespace: the main matrix strips ":school"
# suffixes when it checks that every route has a row.
ROUTES = {
    "analytics:trust_analytics": ("get", TRUST, _trust_path("")),
    "analytics:trust_funnels": ("get", TRUST, _trust_path("funnels/")),
    "analytics:trust_export": ("get", TRUST, _trust_path("schools.csv")),
    "analytics:trust_export:xlsx": ("get", TRUST, _trust_path("need-mix.xlsx")),
    # The PDF report: the button starts a job; its page and file are for whoever started it
    # (the SEND leader here), while the policy still lets them read the trust's analytics.
    "analytics:trust_report": ("post", TRUST, _trust_path("report/")),
    "analytics:trust_report_job": ("get", REPORT_JOB, _job_path("")),
    "analytics:trust_report_download": ("get", REPORT_JOB, _job_path("send-analytics.pdf")),
    "analytics:one_school": ("get", SCHOOL, _school_path("")),
    "analytics:one_school_funnels": ("get", SCHOOL, _school_path("funnels/")),
    "analytics:one_school_export": ("get", SCHOOL, _school_path("trend.csv")),
    "analytics:one_school_export:xlsx": ("get", SCHOOL, _school_path("schools.xlsx")),
}
for _name, _suffix in (("trust_school_rates", "schools"), ("trust_funnel", "funnel"),
                       ("trust_need_mix", "need-mix"), ("trust_trend", "trend"),
                       ("trust_gaps", "gaps"), ("trust_timeliness", "timeliness")):
    ROUTES[f"api:get_{_name}"] = (
        "get", TRUST, lambda c, o, s=_suffix: f"/api/v1/analytics/trusts/{o.code}/{s}")
for _name, _suffix in (("school_rates", "rates"), ("school_funnel", "funnel"),
                       ("school_need_mix", "need-mix"), ("school_trend", "trend"),
                       ("school_gaps", "gaps"), ("school_timeliness", "timeliness")):
    ROUTES[f"api:get_{_name}"] = (
        "get", SCHOOL, lambda c, o, s=_suffix: f"/api/v1/analytics/schools/{o.code}/{s}")


def build_objects(cast):
    """A read-only trust built from public data: one school, no pupils; and a finished PDF
    report the SEND leader asked for."""
    public = Trust.objects.create(name="Public Data Trust", read_only=True)
    cast.analytics_report_job = Job.objects.create(
        kind="trust_report", created_by=cast.users[SL], trust=cast.trust, status="done",
        finished_at=timezone.now(), output=b"%PDF-1.7 a report", output_type="application/pdf",
        output_name="send-analytics.pdf",
        result={"bytes": 17, "aggregate_only": False, "withheld": 0, "method": "wide"})
    cast.public_trust = public
    cast.public_school = School.objects.create(
        trust=public, urn="300001", name="Public Primary", phase=School.Phase.PRIMARY,
        la_code="801", la_name="Bristol, City of",
    )
    return cast


def post_data(cast, route, obj):
    return {}
