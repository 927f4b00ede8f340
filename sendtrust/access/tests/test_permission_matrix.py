"""Every route × every role × every kind of object → the status a user gets.

Allowed roles get 200 (or a redirect after a successful POST), members of the trust without
the right get 403, and everyone else gets 404 so that a pupil's existence is not revealed.
A route missing from ROUTES fails test_every_route_is_in_the_matrix.
"""

import datetime as dt
import importlib
import re
import time
from http.cookies import SimpleCookie

from django.conf import settings
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import get_resolver

from sendtrust.access.middleware import TOUCHED
from sendtrust.testing import ROLES, build_cast

# Each area keeps its own rows in <app>/tests/matrix.py: ROUTES (same shape as below),
# build_objects(cast) -> cast (adds the objects its rows name) and post_data(cast, route, obj).
AREAS = [
    importlib.import_module(f"sendtrust.{app}.tests.matrix")
    for app in (
        "evaluation", "planning", "analytics", "quality", "public", "support", "provision", "ehc",
        "people", "benchmarks", "imports",
    )
]

ALL = set(ROLES)
LEADERS = {"send_leader", "executive"}
SCHOOL_A_STAFF = {"headteacher_a", "senco_a", "teacher_a", "ta_a"}
TRUST_A_MEMBERS = ALL - {"other_trust_senco", "no_role"}

# (route, object) -> (roles that succeed, roles refused with 403). Anyone else gets 404.
# Objects: trust, other_trust, school_a, school_b, other_school, pupil_a1 (taught by teacher_a
# and ta_a, child of parent_a1, assigned to external_a1), pupil_a2, pupil_b1, other_pupil.
PUPIL_VIEW = {
    "pupil_a1": (LEADERS | SCHOOL_A_STAFF | {"parent_a1", "external_a1"},
                 {"trustee", "senco_b"}),
    "pupil_a2": (LEADERS | {"headteacher_a", "senco_a"},
                 TRUST_A_MEMBERS - LEADERS - {"headteacher_a", "senco_a"}),
    "pupil_b1": (LEADERS | {"senco_b"}, TRUST_A_MEMBERS - LEADERS - {"senco_b"}),
    "other_pupil": ({"other_trust_senco"}, set()),
}
REGISTER = {
    "school_a": (LEADERS | SCHOOL_A_STAFF, TRUST_A_MEMBERS - LEADERS - SCHOOL_A_STAFF),
    "school_b": (LEADERS | {"senco_b"}, TRUST_A_MEMBERS - LEADERS - {"senco_b"}),
    "other_school": ({"other_trust_senco"}, set()),
}
EXPORT = {
    "school_a": ({"send_leader", "headteacher_a", "senco_a"},
                 TRUST_A_MEMBERS - {"send_leader", "headteacher_a", "senco_a"}),
    "school_b": ({"send_leader", "senco_b"}, TRUST_A_MEMBERS - {"send_leader", "senco_b"}),
    "other_school": ({"other_trust_senco"}, set()),
}
IMPORT = {
    "school_a": ({"send_leader", "senco_a"}, TRUST_A_MEMBERS - {"send_leader", "senco_a"}),
    "school_b": ({"send_leader", "senco_b"}, TRUST_A_MEMBERS - {"send_leader", "senco_b"}),
    "other_school": ({"other_trust_senco"}, set()),
    "public_school": (set(), set()),  # a public trust takes no pupils, from anyone
}
CHANGE = {
    "pupil_a1": ({"send_leader", "senco_a"}, TRUST_A_MEMBERS - {"send_leader", "senco_a"}),
    "pupil_b1": ({"send_leader", "senco_b"}, TRUST_A_MEMBERS - {"send_leader", "senco_b"}),
    "other_pupil": ({"other_trust_senco"}, set()),
}
CORRECT = {k: v for k, v in CHANGE.items() if k != "other_pupil"}  # it has no status to correct
MOVE = {
    "pupil_a1": ({"send_leader"}, TRUST_A_MEMBERS - {"send_leader"}),
    "other_pupil": (set(), {"other_trust_senco"}),
}
OVERVIEW = {
    "trust": ({"send_leader", "executive", "trustee"},
              TRUST_A_MEMBERS - {"send_leader", "executive", "trustee"}),
    "other_trust": (set(), {"other_trust_senco"}),
    # A read-only trust built from public data (see sendtrust/analytics/tests/matrix.py).
    "public_trust": (ALL, set()),
}
AUDIT = {
    "trust": ({"send_leader"}, TRUST_A_MEMBERS - {"send_leader"}),
    "other_trust": (set(), {"other_trust_senco"}),
}
EVERYONE = {None: (ALL, set())}

ROUTES = {
    # route name: (method, cases, how to build the path)
    "trust_overview": ("get", OVERVIEW, lambda c, o: f"/trusts/{o.code}/"),
    "audit_log": ("get", AUDIT, lambda c, o: f"/trusts/{o.code}/audit/"),
    "school_register": ("get", REGISTER, lambda c, o: f"/schools/{o.code}/register/"),
    "export_register": ("get", EXPORT, lambda c, o: f"/schools/{o.code}/register.csv"),
    "export_register:xlsx": ("get", EXPORT, lambda c, o: f"/schools/{o.code}/register.xlsx"),
    "import_pupils": ("get", IMPORT, lambda c, o: f"/schools/{o.code}/import/"),
    "import_pupils:post": ("post", IMPORT, lambda c, o: f"/schools/{o.code}/import/"),
    "import_template": ("get", IMPORT, lambda c, o: f"/schools/{o.code}/import/template.csv"),
    "pupil_record": ("get", PUPIL_VIEW, lambda c, o: f"/pupils/{o.code}/"),
    # The record's forms post to the record's own URL ("form" names which one).
    "pupil_record:status": ("post", CHANGE, lambda c, o: f"/pupils/{o.code}/"),
    "pupil_record:correct": ("post", CORRECT, lambda c, o: f"/pupils/{o.code}/"),
    "pupil_record:leave": ("post", CHANGE, lambda c, o: f"/pupils/{o.code}/"),
    "pupil_record:move": ("post", MOVE, lambda c, o: f"/pupils/{o.code}/"),
    "my_pupils": ("get", EVERYONE, lambda c, o: "/pupils/"),
    "home": ("get", EVERYONE, lambda c, o: "/"),
    "api:list_schools": ("get", EVERYONE, lambda c, o: "/api/v1/schools"),
    "api:list_pupils": ("get", EVERYONE, lambda c, o: "/api/v1/pupils"),
    "api:list_pupils:school": ("get", REGISTER, lambda c, o: f"/api/v1/pupils?school={o.code}"),
    "api:get_pupil": ("get", PUPIL_VIEW, lambda c, o: f"/api/v1/pupils/{o.code}"),
    "api:openapi-json": ("get", EVERYONE, lambda c, o: "/api/v1/openapi.json"),
}
for _area in AREAS:
    assert not set(_area.ROUTES) & set(ROUTES), f"{_area.__name__} repeats a route"
    ROUTES.update(_area.ROUTES)

# Routes anyone may reach, signed in or not, and routes that only ever redirect.
PUBLIC = {"login", "logout", "api:openapi-view", "api:api-root", "health"}
# Areas name their own such routes (signing in, password reset) in an optional PUBLIC set.
PUBLIC |= set().union(*(getattr(area, "PUBLIC", set()) for area in AREAS))


# Routes whose GET may send an allowed person on (home to their own page); areas add theirs.
REDIRECTS = {"home"}.union(*(getattr(area, "REDIRECTS", set()) for area in AREAS))

# Routes outside the matrix, reached signed out: the methods each answers, and a path.
PUBLIC_PATHS = {
    "login": ({"get", "post"}, lambda c: "/login/"),
    "logout": ({"post"}, lambda c: "/logout/"),
    "health": ({"get"}, lambda c: "/health/"),
    "api:openapi-view": ({"get"}, lambda c: "/api/v1/docs"),
}
for _area in AREAS:
    PUBLIC_PATHS.update(getattr(_area, "PUBLIC_PATHS", {}))
# Every method a route might answer; each route answers only those it has rows for.
METHODS = ("get", "post", "put", "patch", "delete", "options")
# The API's root answers nothing itself (ninja's placeholder for reversing /api/v1/).
NO_VIEW = {"api:api-root"}


def post_data(cast, route, obj):
    for area in AREAS:
        if route in area.ROUTES:
            return area.post_data(cast, route, obj)
    if route == "pupil_record:status":
        return {"form": "status", "provision": "E", "primary_need": "ASD",
                "starts_on": "2024-09-01"}
    if route == "pupil_record:correct":
        episode = obj.episodes.first()
        return {"form": "correct", "episode": str(episode.code), "provision": "E",
                "primary_need": "ASD", "reason": "Typed in the wrong column"}
    if route == "pupil_record:leave":
        return {"form": "leave", "on": dt.date.today().isoformat(), "destination": "Abroad"}
    if route == "pupil_record:move":
        target = cast.school_b if obj.school_id == cast.school_a.pk else cast.other_school
        return {"form": "move", "to_school": str(target.code), "on": dt.date.today().isoformat()}
    return {}


# The matrix asserts the status each cell gets; refusals answer it without drawing the site's
# 403 or 404 page, two thirds of a refusal's cost (see matrix_urls). The real pages are drawn
# for every role in test_every_role_gets_the_real_refusal_pages.
@override_settings(ROOT_URLCONF="sendtrust.access.tests.matrix_urls")
class PermissionMatrixTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast = build_cast()
        for area in AREAS:
            cls.cast = area.build_objects(cls.cast)
        # The trust's national funnels in the shared cache, as load_benchmarks leaves them:
        # each request below is rolled back, cache entries included, so every allowed
        # funnel request computed them again (~20 s of each pass for one route).
        from sendtrust.analytics import figures

        for trust in {s.trust for s in cls.cast.trust.schools.all()}:
            figures.funnel_sections(figures.school_rates(trust, hide=False))

    def obj(self, name):
        return None if name is None else getattr(self.cast, name)

    def session_for(self, role):
        """The session key of `role`, signed in once per test (a sign-in is a session write,
        an audit entry and a last-login update: ~2 ms of CPU, measured). Each
        request below starts from that session as it was made: the request's own changes to
        it (a renewed expiry, a new key) are rolled back with the request's other writes."""
        sessions = self.__dict__.setdefault("_sessions", {})
        if role not in sessions:
            client = Client()
            client.force_login(self.cast.users[role])
            session = client.session
            # Stamped as a real sign-in's response stamps it (IdleTimeoutMiddleware): without
            # it every request would write the session to renew its expiry.
            session[TOUCHED] = int(time.time())
            session.save()
            sessions[role] = session.session_key
        return sessions[role]

    def sign_in(self, client, role):
        """Only the role's session cookie: no cookie (messages, CSRF) left by the last cell."""
        client.cookies = SimpleCookie({settings.SESSION_COOKIE_NAME: self.session_for(role)})

    def status_for(self, role, route, method, path, obj):
        self.sign_in(self.client, role)
        # A successful POST changes data; roll it back so that every cell starts equal.
        with transaction.atomic():
            if method == "post" and route.startswith("api:"):  # the API's writes take JSON
                response = self.client.post(path, post_data(self.cast, route, obj),
                                            content_type="application/json")
            elif method == "post":
                response = self.client.post(path, post_data(self.cast, route, obj))
            else:
                response = self.client.get(path)
            transaction.set_rollback(True)
        return response.status_code

    def check_route(self, route):
        method, cases, build = ROUTES[route]
        wrong = []
        for obj_name, (allowed, refused) in cases.items():
            obj = self.obj(obj_name)
            path = build(self.cast, obj)
            for role in ROLES:
                got = self.status_for(role, route, method, path, obj)
                if role in allowed:
                    # After a POST: saved (201, or 302 to the next page) or the form's errors
                    # (400); either way the policy let the request through.
                    ok = got == 200 or (got in (201, 302, 400) and method == "post") or (
                        got == 302 and route in REDIRECTS)
                    expected = "200 (201, 302 or 400 after a POST)"
                elif role in refused:
                    ok, expected = got == 403, 403
                else:
                    ok, expected = got == 404, 404
                if not ok:
                    wrong.append(f"{route} {obj_name} as {role}: got {got}, want {expected}")
        assert not wrong, "\n".join(wrong)

    def test_every_route_refuses_the_methods_it_has_no_rows_for(self):
        """A POST to a read-only page is 405, as is a GET of a POST-only action, and PUT, PATCH
        and DELETE wherever no row names them: every method a route answers has matrix rows
        (roles allowed and refused) or the route refuses it."""
        from django.test import Client
        from django.urls import resolve

        rows = {}  # route name -> {method: (role to try, path)}
        for method, cases, build in ROUTES.values():
            obj_name, (allowed, _) = next((k, v) for k, v in cases.items() if v[0])
            path = build(self.cast, self.obj(obj_name))
            name = resolve(path.split("?")[0]).view_name
            rows.setdefault(name, {}).setdefault(method, (sorted(allowed)[0], path))
        wrong = []
        for prefix, pattern in _patterns():
            name = prefix + (pattern.name or "")
            if not pattern.name:
                wrong.append(f"{prefix}{pattern.pattern} has no name, so no rows")
                continue
            if name in NO_VIEW:
                continue
            client = Client()
            if name in PUBLIC_PATHS:
                methods, build = PUBLIC_PATHS[name]
                tries = {m: (None, build(self.cast)) for m in METHODS}
            elif name in rows:
                methods = set(rows[name])
                role, path = next(iter(rows[name].values()))
                tries = {m: (role, path) for m in METHODS}
            else:
                wrong.append(f"{name} has no rows")
                continue
            for method in sorted(set(METHODS) - methods):
                role, path = tries[method]
                if role is not None:
                    self.sign_in(client, role)
                with transaction.atomic():
                    got = getattr(client, method)(path).status_code
                    transaction.set_rollback(True)
                if got != 405:
                    wrong.append(f"{method.upper()} {name} as {role}: got {got}, want 405 "
                                 "(or rows for that method)")
        assert not wrong, "\n".join(wrong)

    @override_settings(ROOT_URLCONF="sendtrust.urls")
    def test_every_role_gets_the_real_refusal_pages(self):
        """With the site's own error pages: for each role, the first cell of the matrix that
        refuses them with 403 and the first with 404 (GET) draws that page in the layout."""
        pages = {403: "You do not have access to this page", 404: "Page not found"}
        found = {}  # (role, status) -> path
        for route, (method, cases, build) in ROUTES.items():
            if method != "get" or route.startswith("api:"):
                continue
            for obj_name, (allowed, refused) in cases.items():
                for role in ROLES:
                    status = None if role in allowed else 403 if role in refused else 404
                    if status and (role, status) not in found:
                        found[role, status] = build(self.cast, self.obj(obj_name))
        assert {role for role, _ in found} == set(ROLES)
        wrong = []
        for (role, status), path in sorted(found.items()):
            self.sign_in(self.client, role)
            response = self.client.get(path)
            body = response.content.decode()
            if response.status_code != status or pages[status] not in body or (
                    '<nav aria-label="Main">' not in body):
                wrong.append(f"{path} as {role}: got {response.status_code}, want the {status} "
                             "page in the layout")
        assert not wrong, "\n".join(wrong)

    def test_anonymous_is_sent_to_login_or_refused(self):
        for route, (method, cases, build) in ROUTES.items():
            obj = self.obj(next(iter(cases)))
            response = getattr(self.client, method)(build(self.cast, obj))
            if route.startswith("api:") and route != "api:openapi-json":
                assert response.status_code == 401, route
            elif route != "api:openapi-json":
                assert response.status_code == 302, route
                assert response["Location"].startswith("/login/"), route


def _route_test(route):
    def test(self):
        self.check_route(route)

    test.__name__ = "test_" + route.replace(":", "_").replace("-", "_")
    test.__doc__ = f"Every role against {route}."
    return test


# One test per route: a failure names the route, and pytest-xdist spreads them over workers.
for _route in ROUTES:
    setattr(PermissionMatrixTest, _route_test(_route).__name__, _route_test(_route))


def _patterns(patterns=None, prefix=""):
    """(namespace prefix, pattern) for every URL pattern, however deeply included."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if hasattr(p, "url_patterns"):
            yield from _patterns(p.url_patterns, prefix + (f"{p.namespace}:" if p.namespace
                                                           else ""))
        else:
            yield prefix, p


def test_the_matrix_objects_are_built_beside_the_loaded_dfe_files(loaded):
    """The matrix runs on whichever worker, before or after that worker loaded the DfE files
    (committed for the whole session): its objects must build on either database."""
    cast = build_cast()
    for area in AREAS:
        cast = area.build_objects(cast)
    assert cast.trust.pk


def test_every_route_is_in_the_matrix():
    """Fails when a new URL is added without saying who may reach it."""
    names = set()

    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                ns = f"{p.namespace}:" if p.namespace else ""
                walk(p.url_patterns, prefix + ns)
            elif p.name:
                names.add(prefix + p.name)

    walk(get_resolver().url_patterns)
    # "route:variant" rows (":xlsx", ":school") test the same route another way.
    covered = {re.sub(r":(xlsx|school|status|correct|leave|move|post|get)$", "", r)
               for r in ROUTES} | PUBLIC
    missing = names - covered
    assert not missing, f"Routes with no row in the permission matrix: {sorted(missing)}"
