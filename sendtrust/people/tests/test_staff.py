"""Adding staff, importing them from CSV, ending a role, inviting parents; invitation links."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from sendtrust.access.models import AuditEntry
from sendtrust.access.policy import visible_pupils
from sendtrust.organisations.models import Membership, ParentLink, Role
from sendtrust.people.refs import ref_for
from sendtrust.people.testing import signed_in
from sendtrust.testing import PASSWORD

pytestmark = pytest.mark.django_db
User = get_user_model()
NEW_TEACHER = {"first_name": "Nia", "last_name": "Oak", "email": "nia.oak@example.org",
               "role": "teacher", "school": "100001", "starts_on": "2025-09-01"}


def link_in(message) -> str:
    return re.search(r"http://testserver(/\S+)", message.body).group(1)


def accept(client, link, password="a quiet harbour 7"):
    """Open an emailed link and set a password; return the final response."""
    form_page = client.get(link, follow=True)
    return client.post(form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
                       {"new_password1": password, "new_password2": password})


def test_adding_staff_creates_the_role_and_invites_once(client, cast,
                                                         django_capture_on_commit_callbacks):
    signed_in(client, cast.users["send_leader"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/trusts/{cast.trust.code}/people/new/", NEW_TEACHER)
    assert response["Location"] == f"/trusts/{cast.trust.code}/people/"
    user = User.objects.get(email="nia.oak@example.org")
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user)
    assert (membership.role, membership.school, membership.starts_on) == (
        Role.TEACHER, cast.school_a, dt.date(2025, 9, 1))
    assert AuditEntry.objects.filter(action="membership.added", username="send_leader").exists()
    (message,) = mail.outbox
    assert message.to == ["nia.oak@example.org"] and "Alder Primary" in message.body

    link = link_in(message)
    client.logout()
    response = accept(client, link)
    assert response["Location"] == "/account/set-password/done/"
    assert client.login(username="nia.oak@example.org", password="a quiet harbour 7")
    client.logout()
    # The link works once.
    again = client.get(link, follow=True)
    assert "This link no longer works" in again.content.decode()


def test_nothing_is_saved_without_confirming_the_password(client, cast):
    signed_in(client, cast.users["send_leader"], recent=False)
    response = client.post(f"/trusts/{cast.trust.code}/people/new/", NEW_TEACHER)
    assert response.status_code == 200
    assert "Confirm it is you" in response.content.decode()
    assert not User.objects.filter(email="nia.oak@example.org").exists()
    response = client.post(f"/trusts/{cast.trust.code}/people/new/",
                           {**NEW_TEACHER, "reauth-password": PASSWORD})
    assert response.status_code == 302
    assert User.objects.filter(email="nia.oak@example.org").exists()


def test_a_school_role_needs_a_school_and_errors_are_summarised(client, cast):
    signed_in(client, cast.users["send_leader"])
    response = client.post(f"/trusts/{cast.trust.code}/people/new/",
                           {**NEW_TEACHER, "school": "", "email": "not-an-address"})
    body = response.content.decode()
    assert 'class="error-summary"' in body
    assert "Choose the school where this role is held" in body
    assert 'href="#id_email"' in body
    assert not User.objects.filter(last_name="Oak").exists()


def test_a_trust_wide_role_is_held_at_no_school(client, cast):
    signed_in(client, cast.users["send_leader"])
    response = client.post(f"/trusts/{cast.trust.code}/people/new/",
                           {**NEW_TEACHER, "role": "executive"})
    assert "A trust-wide role is held at no school" in response.content.decode()


def test_ending_a_membership_ends_access_after_the_day(client, cast):
    teacher = cast.users["senco_a"]
    membership = Membership.objects.get(user=teacher, role=Role.SENCO)
    signed_in(client, cast.users["send_leader"])
    yesterday = dt.date.today() - dt.timedelta(days=1)
    response = client.post(f"/memberships/{ref_for('membership', membership.pk)}/end/",
                           {"ends_on": yesterday.isoformat()})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.ends_on == yesterday
    teacher = User.objects.get(pk=teacher.pk)  # a fresh object: roles are cached per request
    assert not visible_pupils(teacher).exists()
    entry = AuditEntry.objects.get(action="membership.ended")
    assert entry.detail["ends_on"] == yesterday.isoformat()


def test_a_role_cannot_end_before_it_started(client, cast):
    membership = Membership.objects.get(user=cast.users["senco_a"], role=Role.SENCO)
    signed_in(client, cast.users["send_leader"])
    response = client.post(f"/memberships/{ref_for('membership', membership.pk)}/end/",
                           {"ends_on": "2019-01-01"})
    assert "cannot be before it" in response.content.decode()
    membership.refresh_from_db()
    assert membership.ends_on is None


def test_a_forged_membership_reference_is_not_found(client, cast):
    membership = Membership.objects.get(user=cast.users["senco_a"], role=Role.SENCO)
    signed_in(client, cast.users["send_leader"])
    forged = ref_for("token", membership.pk)  # signed for another kind
    assert client.get(f"/memberships/{forged}/end/").status_code == 404
    assert client.get(f"/memberships/{membership.pk}/end/").status_code == 404


def csv_file(text):
    return SimpleUploadedFile("staff.csv", text.encode(), content_type="text/csv")


HEADER = "first_name,last_name,email,role,school_urn,starts_on\n"


def test_an_import_with_any_bad_row_saves_nothing_and_names_each_mistake(client, cast):
    signed_in(client, cast.users["send_leader"])
    text = HEADER + (
        "Ola,Elm,ola@example.org,teacher,100001,2025-09-01\n"
        "Bo,Fir,bo@example,senco,100002,\n"
        "Cy,Yew,cy@example.org,wizard,100001,\n"
        "Di,Ivy,di@example.org,ta,999999,\n"
        "Ola,Elm,ola@example.org,teacher,100001,2025-09-01\n"
    )
    response = client.post(f"/trusts/{cast.trust.code}/people/import/",
                           {"file": csv_file(text)})
    body = response.content.decode()
    assert "nothing was saved" in body
    assert "Row 3, email “bo@example”" in body
    assert "Row 4, role “wizard”" in body
    assert "Row 5, school_urn “999999”" in body
    assert "Row 6, email “ola@example.org”: Repeats row 2" in body
    assert not User.objects.filter(email="ola@example.org").exists()
    failed = AuditEntry.objects.get(action="staff.import.failed")
    # The log says where the first fault is, never a value from the file (it holds emails).
    assert failed.detail["errors"] == body.count("<li>Row ")
    assert (failed.detail["first_row"], failed.detail["first_field"]) == (3, "email")
    assert "bo@example" not in str(failed.detail)


def test_a_clean_import_adds_every_row(client, cast, django_capture_on_commit_callbacks):
    signed_in(client, cast.users["send_leader"])
    text = HEADER + ("Ola,Elm,ola@example.org,teacher,100001,2025-09-01\n"
                     "Bo,Fir,bo@example.org,trustee,,\n"
                     "Senco,Again,senco_a@example.org,ta,100002,\n")
    cast.users["senco_a"].email = "senco_a@example.org"
    cast.users["senco_a"].save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/trusts/{cast.trust.code}/people/import/",
                               {"file": csv_file(text)})
    assert response.status_code == 302
    assert Membership.objects.filter(trust=cast.trust, user__email="bo@example.org",
                                     role=Role.TRUSTEE, school=None).exists()
    assert Membership.objects.filter(user=cast.users["senco_a"], role=Role.TA).exists()
    # Two new people are invited; senco_a already has a password.
    assert sorted(m.to[0] for m in mail.outbox) == ["bo@example.org", "ola@example.org"]


def test_a_file_without_the_columns_is_refused(client, cast):
    signed_in(client, cast.users["send_leader"])
    response = client.post(f"/trusts/{cast.trust.code}/people/import/",
                           {"file": csv_file("name,email\nA,a@example.org\n")})
    assert "The file needs the columns" in response.content.decode()


def test_inviting_a_parent_links_them_to_the_child_only(client, cast,
                                                       django_capture_on_commit_callbacks):
    signed_in(client, cast.users["senco_a"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/pupils/{cast.pupil_a2.code}/invite-parent/", {
            "first_name": "Pat", "last_name": "Beech", "email": "pat@example.org",
            "relationship": "Father"})
    assert response["Location"] == f"/pupils/{cast.pupil_a2.code}/"
    parent = User.objects.get(email="pat@example.org")
    assert ParentLink.objects.get(parent=parent).pupil == cast.pupil_a2
    assert list(visible_pupils(parent)) == [cast.pupil_a2]
    assert len(mail.outbox) == 1
    assert AuditEntry.objects.get(action="parent.invited").pupil_code == cast.pupil_a2.code


def test_password_reset_sends_a_single_use_link(client, cast):
    user = cast.users["teacher_a"]
    user.email = "teacher@example.org"
    user.save()
    response = client.post("/account/password/reset/", {"email": "teacher@example.org"})
    assert response["Location"] == "/account/password/reset/sent/"
    (message,) = mail.outbox
    link = link_in(message)
    assert accept(client, link, "new and long password 9")["Location"].endswith("/done/")
    assert client.login(username="teacher_a", password="new and long password 9")
    client.logout()
    assert "This link no longer works" in client.get(link, follow=True).content.decode()
    # An unknown address gets the same answer and no email.
    client.post("/account/password/reset/", {"email": "nobody@example.org"})
    assert len(mail.outbox) == 1


def test_an_invitation_can_be_sent_again_and_the_old_link_still_works_once(
        client, cast, django_capture_on_commit_callbacks):
    signed_in(client, cast.users["send_leader"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/trusts/{cast.trust.code}/people/new/", NEW_TEACHER)
    membership = Membership.objects.get(user__email="nia.oak@example.org")
    response = client.post(f"/memberships/{ref_for('membership', membership.pk)}/invite/")
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    assert AuditEntry.objects.filter(action="invitation.resent").exists()
    client.logout()
    assert accept(client, link_in(mail.outbox[1]))["Location"].endswith("/done/")
    # Setting the password spends every link sent before it.
    assert "no longer works" in client.get(link_in(mail.outbox[0]), follow=True).content.decode()


def test_the_staff_list_costs_the_same_queries_for_few_or_many(client, cast):
    from sendtrust.testing import UserFactory, member

    signed_in(client, cast.users["send_leader"])
    client.get(f"/trusts/{cast.trust.code}/people/")  # warm the session and caches

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/trusts/{cast.trust.code}/people/").status_code == 200
        return len(ctx)

    few = count()
    for _ in range(25):
        member(UserFactory(), Role.TEACHER, cast.trust, cast.school_b)
    assert count() == few


def test_an_invitation_link_expires(client, cast, settings, django_capture_on_commit_callbacks):
    import time_machine

    settings.PASSWORD_RESET_TIMEOUT = 3 * 86400
    signed_in(client, cast.users["send_leader"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/trusts/{cast.trust.code}/people/new/", NEW_TEACHER)
    client.logout()
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=3, hours=1)):
        page = client.get(link_in(mail.outbox[0]), follow=True)
    assert "This link no longer works" in page.content.decode()
