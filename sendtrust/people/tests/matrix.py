"""Who may reach each route of the people app; read by access/tests/test_permission_matrix.py.

ROUTES: route name -> (method, {object name: (roles that succeed, roles refused with 403)},
how to build the path). Anyone else gets 404. A ":post" row tests the POST of the same route.

Staff and roles: the SEND leader of the trust. A pupil's parents and subject access: the SEND
leader and the SENCO of the pupil's school. The retention policy: every member of the trust.
Your own account, two-factor sign-in and tokens: everyone, for themselves only (someone
else's token is not found).
"""

import datetime as dt

from sendtrust.access.models import ApiToken
from sendtrust.organisations.models import Membership, Role
from sendtrust.people.refs import ref_for
from sendtrust.testing import ROLES

ALL = set(ROLES)
TRUST_A_MEMBERS = ALL - {"other_trust_senco", "no_role"}
SL = "send_leader"


def only(*allowed_sets):
    allowed = set().union(*allowed_sets)
    return (allowed, TRUST_A_MEMBERS - allowed)


EVERYONE = {None: (ALL, set())}
STAFF = {"trust": only({SL}), "other_trust": (set(), {"other_trust_senco"})}
MEMBERSHIP = {"people_membership": only({SL}),
              "people_other_membership": (set(), {"other_trust_senco"})}
PUPIL_RIGHTS = {
    "pupil_a1": only({SL, "senco_a"}),
    "pupil_b1": only({SL, "senco_b"}),
    "other_pupil": ({"other_trust_senco"}, set()),
}
RETENTION = {"trust": (TRUST_A_MEMBERS, set()), "other_trust": ({"other_trust_senco"}, set())}
OWN_TOKEN = {"people_token": ({SL}, set())}


def _trust(path):
    return lambda c, o: f"/trusts/{o.code}/{path}"


def _pupil(path):
    return lambda c, o: f"/pupils/{o.code}/{path}"


def _membership(c, o):
    return f"/memberships/{ref_for('membership', o.pk)}/end/"


def _fixed(path):
    return lambda c, o: path


ROUTES = {
    "people:staff": ("get", STAFF, _trust("people/")),
    "people:add_staff": ("get", STAFF, _trust("people/new/")),
    "people:add_staff:post": ("post", STAFF, _trust("people/new/")),
    "people:import_staff": ("get", STAFF, _trust("people/import/")),
    "people:import_staff:post": ("post", STAFF, _trust("people/import/")),
    "people:import_template": ("get", STAFF, _trust("people/import/template.csv")),
    "people:end_membership": ("get", MEMBERSHIP, _membership),
    "people:end_membership:post": ("post", MEMBERSHIP, _membership),
    "people:resend_invitation": (
        "post", MEMBERSHIP, lambda c, o: f"/memberships/{ref_for('membership', o.pk)}/invite/"),
    "people:retention": ("get", RETENTION, _trust("retention/")),
    "people:invite_parent": ("get", PUPIL_RIGHTS, _pupil("invite-parent/")),
    "people:invite_parent:post": ("post", PUPIL_RIGHTS, _pupil("invite-parent/")),
    "people:subject_access": ("get", PUPIL_RIGHTS, _pupil("subject-access/")),
    "people:subject_access:post": ("post", PUPIL_RIGHTS, _pupil("subject-access/")),
    "people:account": ("get", EVERYONE, _fixed("/account/")),
    "people:reauth": ("get", EVERYONE, _fixed("/account/confirm/")),
    "people:reauth:post": ("post", EVERYONE, _fixed("/account/confirm/")),
    "people:change_password": ("get", EVERYONE, _fixed("/account/password/")),
    "people:change_password:post": ("post", EVERYONE, _fixed("/account/password/")),
    "people:two_factor": ("get", EVERYONE, _fixed("/account/two-factor/")),
    "people:setup_totp": ("get", EVERYONE, _fixed("/account/two-factor/setup/")),
    "people:setup_totp:post": ("post", EVERYONE, _fixed("/account/two-factor/setup/")),
    "people:recovery_codes": ("post", EVERYONE, _fixed("/account/two-factor/recovery-codes/")),
    "people:remove_authenticator": ("post", EVERYONE, _fixed("/account/two-factor/remove/")),
    "people:tokens": ("get", EVERYONE, _fixed("/account/tokens/")),
    "people:create_token": ("post", EVERYONE, _fixed("/account/tokens/new/")),
    "people:revoke_token": (
        "post", OWN_TOKEN, lambda c, o: f"/account/tokens/{ref_for('token', o.pk)}/revoke/"),
}

# Confirming it is you sends you straight on when the sign-in is recent, as it always is in
# the matrix (SENDTRUST_REQUIRE_RECENT_AUTH is off outside the people app's own tests).
REDIRECTS = {"people:reauth"}

# Reached before signing in (or to finish it): not behind the sign-in page, so not in ROUTES.
PUBLIC = {
    "people:sign_in_code", "people:password_reset", "people:password_reset_done",
    "people:set_password", "people:set_password_done",
}
# The methods each answers, and a path to try (test_every_route_refuses_the_methods_...).
PUBLIC_PATHS = {
    "people:sign_in_code": ({"get", "post"}, lambda c: "/login/code/"),
    "people:password_reset": ({"get", "post"}, lambda c: "/account/password/reset/"),
    "people:password_reset_done": ({"get"}, lambda c: "/account/password/reset/sent/"),
    "people:set_password": ({"get", "post"}, lambda c: "/account/set-password/MQ/no-token/"),
    "people:set_password_done": ({"get"}, lambda c: "/account/set-password/done/"),
}


def build_objects(cast):
    """senco_a's role (in trust A) and other_trust_senco's role; a token of the SEND leader."""
    u = cast.users
    cast.people_membership = Membership.objects.get(user=u["senco_a"], role=Role.SENCO)
    cast.people_other_membership = Membership.objects.get(user=u["other_trust_senco"])
    cast.people_token, _ = ApiToken.issue(u[SL], "matrix")
    return cast


def post_data(cast, route, obj):
    if route == "people:add_staff:post":
        return {"first_name": "Nia", "last_name": "Oak", "email": "nia.oak@example.org",
                "role": "teacher", "school": "100001", "starts_on": "2025-09-01"}
    if route == "people:end_membership:post":
        return {"ends_on": dt.date.today().isoformat()}
    if route == "people:invite_parent:post":
        return {"first_name": "Pat", "last_name": "Ash", "email": "pat.ash@example.org",
                "relationship": "Mother"}
    if route == "people:create_token":
        return {"name": "matrix", "days": "30"}
    return {}
