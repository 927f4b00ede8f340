import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from sendtrust.access.audit import log_action
from sendtrust.access.models import AppendOnlyError, AuditEntry
from sendtrust.access.policy import Action, Decision, decide, visible_pupils
from sendtrust.organisations.models import ExternalAssignment, Membership, Role
from sendtrust.pupils import services
from sendtrust.pupils.models import Pupil
from sendtrust.testing import ROLES, member


def fresh(user):
    """Drop the per-request role cache, as a new request would."""
    user.__dict__.pop("_sendtrust_actor", None)
    return user


@pytest.mark.parametrize("role", ROLES)
def test_visible_pupils_agrees_with_decide(cast, role):
    user = cast.users[role]
    listed = set(visible_pupils(user))
    for pupil in Pupil.objects.all():
        allowed = decide(fresh(user), Action.PUPIL_VIEW, pupil) is Decision.ALLOW
        assert allowed == (pupil in listed), f"{role} and {pupil}"


def test_trustee_sees_no_named_pupil(cast):
    trustee = cast.users["trustee"]
    assert not visible_pupils(trustee).exists()
    for pupil in (cast.pupil_a1, cast.pupil_a2, cast.pupil_b1):
        assert decide(trustee, Action.PUPIL_VIEW, pupil) is Decision.FORBIDDEN


def test_external_access_ends_with_the_assignment(cast, time_machine):
    external = cast.users["external_a1"]
    ExternalAssignment.objects.filter(professional=external).update(ends_on=dt.date(2030, 6, 30))
    time_machine.move_to(dt.datetime(2030, 6, 30, 12))
    assert decide(fresh(external), Action.PUPIL_VIEW, cast.pupil_a1) is Decision.ALLOW
    time_machine.move_to(dt.datetime(2030, 7, 1, 12))
    assert decide(fresh(external), Action.PUPIL_VIEW, cast.pupil_a1) is not Decision.ALLOW
    assert not visible_pupils(fresh(external)).exists()


def test_ended_membership_grants_nothing(cast):
    senco = cast.users["senco_a"]
    Membership.objects.filter(user=senco).update(ends_on=dt.date(2021, 1, 1))
    assert decide(fresh(senco), Action.PUPIL_VIEW, cast.pupil_a2) is Decision.NOT_FOUND
    assert not visible_pupils(fresh(senco)).exists()


def test_move_hands_the_record_to_the_new_school(cast):
    pupil = cast.pupil_a1
    senco_a, senco_b = cast.users["senco_a"], cast.users["senco_b"]
    teacher = cast.users["teacher_a"]
    history_before = list(pupil.episodes.values_list("id", flat=True))
    services.move_pupil(pupil, to_school=cast.school_b, on=dt.date.today(),
                        by=cast.users["send_leader"])
    pupil = Pupil.objects.get(pk=pupil.pk)
    assert decide(fresh(senco_b), Action.PUPIL_VIEW, pupil) is Decision.ALLOW
    assert decide(fresh(senco_a), Action.PUPIL_VIEW, pupil) is Decision.FORBIDDEN
    # The old school's teaching group no longer grants access either.
    assert decide(fresh(teacher), Action.PUPIL_VIEW, pupil) is Decision.FORBIDDEN
    assert pupil not in visible_pupils(fresh(teacher))
    assert list(pupil.episodes.values_list("id", flat=True)) == history_before
    assert pupil.enrolments.filter(ends_on__isnull=True).get().school == cast.school_b
    assert AuditEntry.objects.filter(action="pupil.moved", pupil_code=pupil.code).exists()


def test_move_refuses_another_trust(cast):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.move_pupil(cast.pupil_a1, to_school=cast.other_school)


def test_audit_log_is_append_only(cast):
    entry = log_action(None, "pupil.record.viewed", user=cast.users["senco_a"],
                       pupil=cast.pupil_a1)
    entry.action = "something.else"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.update(action="x")


@pytest.mark.parametrize("statement", [
    "UPDATE access_auditentry SET action = 'x'",
    "DELETE FROM access_auditentry",
])
def test_database_refuses_to_rewrite_the_audit_log(cast, statement):
    """Raw SQL, past the model: the database's own triggers refuse (SQLite and PostgreSQL)."""
    log_action(None, "pupil.record.viewed", user=cast.users["senco_a"], pupil=cast.pupil_a1)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEntry.objects.filter(action="pupil.record.viewed").exists()


def test_audit_redacts_secrets(cast):
    entry = log_action(None, "x.y", user=cast.users["senco_a"], password="hunter2", rows=3)
    assert entry.detail == {"password": "[redacted]", "rows": 3}


def test_trust_roles_cannot_name_a_school(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        member(cast.users["no_role"], Role.TRUSTEE, cast.trust, cast.school_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        member(cast.users["no_role"], Role.SENCO, cast.trust)
