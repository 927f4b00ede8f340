"""Exports, imports, deletions and role changes ask for the password again after a while.

For every view wired to require_recent_auth: a session whose last full sign-in is older than
SENDTRUST_RECENT_AUTH_MINUTES is sent to /account/confirm/ with a `next` page it can GET (the
same address after a GET; after a POST the edit page or the import form, never a replayed
POST); a recent sign-in gets through; and someone outside the trust still gets 404, so the
question never reveals that a school or a pupil exists. The people app's conftest turns
SENDTRUST_REQUIRE_RECENT_AUTH on (the root conftest turns it off for other areas).
"""

from urllib.parse import parse_qs, urlsplit

from django.test import TestCase

from sendtrust.access.models import AuditEntry
from sendtrust.organisations.models import Membership, Role
from sendtrust.people.refs import ref_for
from sendtrust.people.testing import signed_in
from sendtrust.planning.models import Goal, PlanAction
from sendtrust.planning.tests.matrix import build_objects as build_plan
from sendtrust.testing import build_cast

OUTSIDER = "other_trust_senco"


def _school(tail):
    return lambda c: f"/schools/{c.school_a.code}/{tail}"


def _trust(tail):
    return lambda c: f"/trusts/{c.trust.code}/{tail}"


# name: (method, path, a role allowed to do it); a stale session comes back to the same page.
GETS = {
    "register export": ("get", _school("register.csv"), "senco_a"),
    "register export (xlsx)": ("get", _school("register.xlsx"), "senco_a"),
    "pupil import form": ("get", _school("import/"), "senco_a"),
    "trust analytics export": ("get", _trust("analytics/need-mix.csv"), "send_leader"),
    "school analytics export": ("get", _school("analytics/trend.xlsx"), "senco_a"),
    "trust data-quality export": ("get", _trust("data-quality.csv"), "send_leader"),
    "school data-quality export": ("get", _school("data-quality.csv"), "senco_a"),
    "provision map export": ("get", _school("provision/map.csv"), "senco_a"),
    "provision import form": ("get", _school("provision/import/"), "senco_a"),
    "EHC event import form": ("get", _school("ehc/import/"), "senco_a"),
    "staff import form": ("get", _trust("people/import/"), "send_leader"),
    "support figures export": ("get", _trust("support/support-plans.csv"), "send_leader"),
}
# name: (method, path, role, the page that answers a GET a stale session comes back to).
POSTS = {
    "pupil import upload": ("post", _school("import/"), "senco_a", _school("import/")),
    "provision import upload": (
        "post", _school("provision/import/"), "senco_a", _school("provision/import/")),
    "EHC event import upload": ("post", _school("ehc/import/"), "senco_a", _school("ehc/import/")),
    "staff import upload": ("post", _trust("people/import/"), "send_leader",
                            _trust("people/import/")),
    # The PDF report's button starts a job in the worker; a stale session confirms first.
    "trust analytics report": ("post", _trust("analytics/report/"), "send_leader",
                               _trust("analytics/")),
    "goal delete": ("post", lambda c: f"/plan/goals/{c.plan_goal.code}/delete/", "send_leader",
                    lambda c: f"/plan/goals/{c.plan_goal.code}/edit/"),
    "criterion delete": (
        "post", lambda c: f"/plan/criteria/{c.plan_criterion.code}/delete/", "send_leader",
        lambda c: f"/plan/criteria/{c.plan_criterion.code}/edit/"),
    "action delete": ("post", lambda c: f"/plan/actions/{c.plan_action.code}/delete/",
                      "send_leader", lambda c: f"/plan/actions/{c.plan_action.code}/edit/"),
}


class RecentAuthTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast = build_plan(build_cast())

    def request(self, method, path, role, *, recent):
        signed_in(self.client, self.cast.users[role], recent=recent)
        data = {"confirm": "yes"} if method == "post" else None
        return getattr(self.client, method)(path, data)

    def assert_sent_to_confirm(self, response, back, what, role):
        assert response.status_code == 302, (what, response.status_code)
        location = urlsplit(response["Location"])
        assert location.path == "/account/confirm/", (what, response["Location"])
        (next_page,) = parse_qs(location.query)["next"]
        assert next_page == back, (what, next_page, back)
        # The page to come back to answers a GET for this person once they are recent.
        signed_in(self.client, self.cast.users[role])
        assert self.client.get(next_page).status_code == 200, (what, next_page)

    def test_a_stale_sign_in_is_asked_again_and_comes_back_to_the_page(self):
        for what, (method, path, role) in GETS.items():
            with self.subTest(what):
                self.assert_sent_to_confirm(
                    self.request(method, path(self.cast), role, recent=False),
                    path(self.cast), what, role)
        for what, (method, path, role, back) in POSTS.items():
            with self.subTest(what):
                self.assert_sent_to_confirm(
                    self.request(method, path(self.cast), role, recent=False),
                    back(self.cast), what, role)
        # Nothing was deleted on the way.
        assert Goal.objects.filter(pk=self.cast.plan_goal.pk).exists()

    def test_a_recent_sign_in_gets_through(self):
        for what, (method, path, role) in GETS.items():
            with self.subTest(what):
                response = self.request(method, path(self.cast), role, recent=True)
                assert response.status_code == 200, (what, response.status_code)
        # The uploads (without a file here) reach the form, which names what is missing.
        for what in ("pupil import upload", "provision import upload",
                     "EHC event import upload", "staff import upload"):
            method, path, role, _ = POSTS[what]
            with self.subTest(what):
                response = self.request(method, path(self.cast), role, recent=True)
                assert response.status_code in (200, 400), (what, response.status_code)
                assert not response.has_header("Location"), what
        # A delete happens, and then goes to the plan.
        response = self.request("post", POSTS["action delete"][1](self.cast), "send_leader",
                                recent=True)
        assert response["Location"] == f"/trusts/{self.cast.trust.code}/plan/"
        assert not PlanAction.objects.filter(pk=self.cast.plan_action.pk).exists()

    def test_an_outsider_still_gets_not_found_whether_recent_or_not(self):
        rows = [(w, m, p) for w, (m, p, _) in GETS.items()]
        rows += [(w, m, p) for w, (m, p, _, _) in POSTS.items()]
        for what, method, path in rows:
            for recent in (False, True):
                with self.subTest(what, recent=recent):
                    response = self.request(method, path(self.cast), OUTSIDER, recent=recent)
                    assert response.status_code == 404, (what, recent, response.status_code)

    def test_a_member_without_the_right_is_refused_before_being_asked(self):
        # teacher_a may not export the register: 403 at once, not a password prompt.
        response = self.request("get", GETS["register export"][1](self.cast), "teacher_a",
                                recent=False)
        assert response.status_code == 403

    def test_ending_a_role_and_subject_access_ask_beside_the_form(self):
        """Role changes and the subject access export keep what was typed: the password
        fields sit beside the form and nothing happens until they are right."""
        membership = Membership.objects.get(user=self.cast.users["senco_a"], role=Role.SENCO)
        end = f"/memberships/{ref_for('membership', membership.pk)}/end/"
        signed_in(self.client, self.cast.users["send_leader"], recent=False)
        response = self.client.post(end, {"ends_on": "2026-01-31"})
        assert response.status_code == 200
        assert "Confirm it is you" in response.content.decode()
        membership.refresh_from_db()
        assert membership.ends_on is None
        sar = f"/pupils/{self.cast.pupil_a1.code}/subject-access/"
        response = self.client.post(sar)
        assert response.status_code == 200
        assert "Confirm it is you" in response.content.decode()
        assert not AuditEntry.objects.filter(action="pupil.subject_access.exported").exists()
        signed_in(self.client, self.cast.users[OUTSIDER], recent=False)
        assert self.client.post(end, {"ends_on": "2026-01-31"}).status_code == 404
        assert self.client.post(sar).status_code == 404
