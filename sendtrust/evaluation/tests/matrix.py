"""Who may reach each evaluation route, in the shape of the main permission matrix.

sendtrust/access/tests/test_permission_matrix.py reads ROUTES, build_objects(cast) and
post_data(cast, route, obj) from here. Allowed roles get 200 (or a redirect after a
POST), members of the trust without the right get 403, everyone else 404.
"""

from types import SimpleNamespace

from sendtrust.evaluation import services
from sendtrust.evaluation.models import Rating
from sendtrust.evaluation.tests.helpers import fill, open_round, shipped, unit_of
from sendtrust.testing import ROLES

ALL = set(ROLES)
TRUST_A_MEMBERS = ALL - {"other_trust_senco", "no_role"}
SL, EX, TR = "send_leader", "executive", "trustee"
A_LEADERS = {"headteacher_a", "senco_a"}


def only(*allowed_sets):
    """Cases for trust-A objects: these roles succeed, the other members of trust A get 403."""
    allowed = set().union(*allowed_sets)
    return (allowed, TRUST_A_MEMBERS - allowed)


OTHER_TRUST_OK = ({"other_trust_senco"}, set())
OTHER_TRUST_NO = (set(), {"other_trust_senco"})

EVAL_ROUND_LIST = {"trust": only({SL, EX, TR}, A_LEADERS, {"senco_b"}),
                   "other_trust": OTHER_TRUST_OK}
EVAL_TRUST_ONLY_SL = {"trust": only({SL}), "other_trust": OTHER_TRUST_NO}
EVAL_SCHOOL_CONTEXT = {"school_a": only(A_LEADERS), "school_b": only({"senco_b"}),
                       "other_school": OTHER_TRUST_OK}
EVAL_ROUND_VIEW = {"eval_round": only({SL, EX, TR}, A_LEADERS, {"senco_b"}),
                   "eval_other_round": OTHER_TRUST_OK}
EVAL_ROUND_SL = {"eval_round": only({SL}), "eval_other_round": OTHER_TRUST_NO}
EVAL_AGREE = {"eval_submitted_round": only({SL}), "eval_other_round": OTHER_TRUST_NO}
EVAL_HEAT_MAP = {"eval_round": only({SL, EX}), "eval_other_round": OTHER_TRUST_NO}
EVAL_UNIT_VIEW = {
    "eval_unit_a": only({SL, EX}, A_LEADERS), "eval_unit_b": only({SL, EX, "senco_b"}),
    "eval_unit_trust": only({SL, EX, TR}), "eval_other_unit": OTHER_TRUST_OK,
}
EVAL_UNIT_RATE = {
    "eval_unit_a": only(A_LEADERS), "eval_unit_b": only({"senco_b"}),
    "eval_unit_trust": only({SL}), "eval_other_trust_unit": OTHER_TRUST_NO,
}
EVAL_FRAMEWORK = {"eval_shipped": (ALL, set()),
                  "eval_copy": only({SL, EX, TR}, A_LEADERS, {"senco_b"}),
                  "eval_other_copy": OTHER_TRUST_OK}
EVAL_MODERATE = {"eval_rating": only({SL}), "eval_other_rating": OTHER_TRUST_NO}
# Copying and editing frameworks: the SEND leader of the trust in the path. A shipped
# framework is never edited (403, copy it first); another trust's copy is not found (404)
# even for a SEND leader, whose own trust is in the path (eval_other_copy_in_a).
EVAL_FRAMEWORK_COPY = {"eval_shipped": only({SL}), "eval_copy": only({SL}),
                       "eval_other_copy": OTHER_TRUST_NO, "eval_other_copy_in_a": (set(), set())}
EVAL_FRAMEWORK_EDIT = {"eval_copy": only({SL}), "eval_shipped": (set(), TRUST_A_MEMBERS),
                       "eval_other_copy": OTHER_TRUST_NO, "eval_other_copy_in_a": (set(), set())}


def framework_path(tail=""):
    """/trusts/<the framework's trust, or trust A for a shipped one>/frameworks/<code>/..."""
    return lambda c, o: f"/trusts/{(o.trust or c.trust).code}/frameworks/{o.code}/{tail}"


ROUTES = {
    # route name: (method, cases, how to build the path)
    "evaluation:round_list": (
        "get", EVAL_ROUND_LIST, lambda c, o: f"/trusts/{o.code}/evaluation/"),
    "evaluation:open_round": (
        "get", EVAL_TRUST_ONLY_SL, lambda c, o: f"/trusts/{o.code}/evaluation/open/"),
    "evaluation:framework_list": (
        "get", EVAL_ROUND_LIST, lambda c, o: f"/trusts/{o.code}/frameworks/"),
    "evaluation:copy_framework": ("post", EVAL_FRAMEWORK_COPY, framework_path("copy/")),
    "evaluation:edit_framework": ("get", EVAL_FRAMEWORK_EDIT, framework_path()),
    "evaluation:edit_trust_context": (
        "get", EVAL_TRUST_ONLY_SL, lambda c, o: f"/trusts/{o.code}/context/"),
    "evaluation:edit_school_context": (
        "get", EVAL_SCHOOL_CONTEXT, lambda c, o: f"/schools/{o.code}/context/"),
    # The forms' POSTs (empty: refused before the form is read, or the form's errors).
    "evaluation:open_round:post": (
        "post", EVAL_TRUST_ONLY_SL, lambda c, o: f"/trusts/{o.code}/evaluation/open/"),
    "evaluation:edit_framework:post": ("post", EVAL_FRAMEWORK_EDIT, framework_path()),
    "evaluation:edit_trust_context:post": (
        "post", EVAL_TRUST_ONLY_SL, lambda c, o: f"/trusts/{o.code}/context/"),
    "evaluation:edit_school_context:post": (
        "post", EVAL_SCHOOL_CONTEXT, lambda c, o: f"/schools/{o.code}/context/"),
    "evaluation:round_detail": (
        "get", EVAL_ROUND_VIEW, lambda c, o: f"/evaluation/rounds/{o.code}/"),
    "evaluation:close_round": (
        "post", EVAL_ROUND_SL, lambda c, o: f"/evaluation/rounds/{o.code}/close/"),
    "evaluation:moderation_queue": (
        "get", EVAL_ROUND_SL, lambda c, o: f"/evaluation/rounds/{o.code}/moderation/"),
    "evaluation:agree_ratings": (
        "post", EVAL_AGREE, lambda c, o: f"/evaluation/rounds/{o.code}/moderation/agree/"),
    "evaluation:heat_map": (
        "get", EVAL_HEAT_MAP, lambda c, o: f"/evaluation/rounds/{o.code}/heat-map/"),
    "evaluation:changes": (
        "get", EVAL_HEAT_MAP, lambda c, o: f"/evaluation/rounds/{o.code}/changes/"),
    "evaluation:rate_unit": (
        "get", EVAL_UNIT_VIEW, lambda c, o: f"/evaluation/units/{o.code}/"),
    "evaluation:unit_wheel": (
        "get", EVAL_UNIT_VIEW, lambda c, o: f"/evaluation/units/{o.code}/areas/"),
    "evaluation:submit_unit": (
        "post", EVAL_UNIT_RATE, lambda c, o: f"/evaluation/units/{o.code}/submit/"),
    "evaluation:save_rating": (
        "post", EVAL_UNIT_RATE, lambda c, o: f"/evaluation/units/{o.code}/themes/governance/"),
    "evaluation:save_answer": (
        "post", EVAL_UNIT_RATE,
        lambda c, o: f"/evaluation/units/{o.code}/areas/setting-strategic-direction/questions/1/"),
    "evaluation:moderate_rating": (
        "post", EVAL_MODERATE, lambda c, o: f"/evaluation/ratings/{o.code}/moderate/"),
    "evaluation:moderate_rating:get": (  # the form's own page, for a browser without htmx
        "get", EVAL_MODERATE, lambda c, o: f"/evaluation/ratings/{o.code}/moderate/"),
    # API: ninja names each route after its function.
    "api:eval_frameworks": ("get", {None: (ALL, set())},
                            lambda c, o: "/api/v1/evaluation/frameworks"),
    "api:eval_framework": ("get", EVAL_FRAMEWORK,
                           lambda c, o: f"/api/v1/evaluation/frameworks/{o.code}"),
    "api:eval_rounds": ("get", EVAL_ROUND_LIST,
                        lambda c, o: f"/api/v1/evaluation/trusts/{o.code}/rounds"),
    "api:eval_round_units": ("get", EVAL_ROUND_VIEW,
                             lambda c, o: f"/api/v1/evaluation/rounds/{o.code}/units"),
    "api:eval_unit_ratings": ("get", EVAL_UNIT_VIEW,
                              lambda c, o: f"/api/v1/evaluation/units/{o.code}/ratings"),
}


def build_objects(cast):
    """Rounds in both trusts: every unit fully rated, and one submitted unit in each trust."""
    fw = shipped()
    r = open_round(cast)
    submitted = open_round(cast, name="Summer 2026", schools=[cast.school_a])
    other = services.open_round(cast.other_trust, name="Other", framework=fw,
                                schools=[cast.other_school], by=cast.users["other_trust_senco"])
    for unit in [*r.units.all(), *submitted.units.all(), *other.units.all()]:
        fill(unit, level=2)
    sub_unit = unit_of(submitted, cast.school_a)
    services.submit_unit(sub_unit, by=cast.users["senco_a"])
    other_unit = unit_of(other, cast.other_school)
    services.submit_unit(other_unit, by=cast.users["other_trust_senco"])
    cast.eval_round, cast.eval_other_round = r, other
    cast.eval_submitted_round = submitted
    cast.eval_unit_a, cast.eval_unit_b = unit_of(r, cast.school_a), unit_of(r, cast.school_b)
    cast.eval_unit_trust = unit_of(r)
    cast.eval_other_unit, cast.eval_other_trust_unit = other_unit, unit_of(other)
    cast.eval_rating = sub_unit.ratings.get(theme__slug="governance")
    cast.eval_other_rating = other_unit.ratings.get(theme__slug="governance")
    cast.eval_shipped = fw
    cast.eval_copy = services.copy_framework(fw, cast.trust, by=cast.users["send_leader"])
    cast.eval_other_copy = services.copy_framework(fw, cast.other_trust,
                                                   by=cast.users["other_trust_senco"])
    # Another trust's copy, asked for under trust A's address.
    cast.eval_other_copy_in_a = SimpleNamespace(code=cast.eval_other_copy.code, trust=cast.trust)
    return cast


def post_data(cast, route, obj):
    if route == "evaluation:save_rating":
        return {"governance-level": "3", "governance-evidence": "Minutes"}
    if route == "evaluation:save_answer":
        return {"setting-strategic-direction-q1-text": "An answer"}
    if route == "evaluation:agree_ratings":
        codes = Rating.objects.filter(unit__round=obj, status="submitted").values_list(
            "code", flat=True)[:3]
        return {"ratings": [str(c) for c in codes], "reason": "Evidence checked at the visit"}
    if route == "evaluation:submit_unit":
        return {"confirm": "yes"}
    if route == "evaluation:moderate_rating":
        return {f"{obj.code}-level": "2"}
    return {}
