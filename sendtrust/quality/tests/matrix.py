"""Who may reach each route of this area, read by sendtrust/access/tests/test_permission_matrix.py.

ROUTES: route name -> (method, {object name: (roles that succeed, roles refused with 403)},
how to build the path). Anyone else must get 404. See sendtrust/evaluation/tests/matrix.py.

The data-quality list names pupils: the trust's SEND leader and executives see the whole trust;
a school's headteacher and SENCO see their school; nobody else (trustees included).
"""

from sendtrust.testing import ROLES

ALL = set(ROLES)
TRUST_A_MEMBERS = ALL - {"other_trust_senco", "no_role"}
LEADERS = {"send_leader", "executive"}
A_LEADERS = {"headteacher_a", "senco_a"}


def only(*allowed_sets):
    allowed = set().union(*allowed_sets)
    return (allowed, TRUST_A_MEMBERS - allowed)


TRUST = {"trust": only(LEADERS), "other_trust": (set(), {"other_trust_senco"})}
SCHOOL = {
    "school_a": only(LEADERS, A_LEADERS),
    "school_b": only(LEADERS, {"senco_b"}),
    "other_school": ({"other_trust_senco"}, set()),
}

ROUTES = {
    "quality:trust": ("get", TRUST, lambda c, o: f"/trusts/{o.code}/data-quality/"),
    "quality:trust_csv": ("get", TRUST, lambda c, o: f"/trusts/{o.code}/data-quality.csv"),
    "quality:for_school": ("get", SCHOOL, lambda c, o: f"/schools/{o.code}/data-quality/"),
    "quality:for_school_csv": (
        "get", SCHOOL, lambda c, o: f"/schools/{o.code}/data-quality.csv"),
}


def build_objects(cast):
    """The cast's own trusts, schools and pupils are all these rows need."""
    return cast


def post_data(cast, route, obj):
    return {}
