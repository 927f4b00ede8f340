"""The rules of plans, reviews, conversations and documents, as the services enforce them."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from sendtrust.access.models import AuditEntry
from sendtrust.support import documents, services
from sendtrust.support.models import (
    ChronologyEntry,
    Document,
    Outcome,
    OutcomeProgress,
    Review,
    SupportPlan,
)
from sendtrust.support.tests.conftest import days, outcome

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 32


def create(cast, outcomes, **kw):
    values = {"starts_on": days(0), "review_on": days(42)}
    values.update(kw)
    return services.create_plan(cast.pupil_b1, outcomes=outcomes, by=cast.users["senco_b"],
                                **values)


def test_a_plan_needs_one_to_six_outcomes(cast):
    with pytest.raises(ValidationError, match="at least one outcome"):
        create(cast, [])
    with pytest.raises(ValidationError, match="at most 6 outcomes; this one has 7"):
        create(cast, [outcome(f"Outcome {n}") for n in range(7)])
    assert not SupportPlan.objects.filter(pupil=cast.pupil_b1).exists()
    plan = create(cast, [outcome(f"Outcome {n}") for n in range(6)])
    assert plan.outcomes.count() == 6


def test_an_outcome_without_words_or_date_is_refused_and_nothing_is_saved(cast):
    with pytest.raises(ValidationError) as e:
        create(cast, [outcome("Fine"), services.OutcomeInput("", days(10), strategies="x")])
    assert "Outcome 2: write what the pupil will achieve" in str(e.value)
    with pytest.raises(ValidationError, match="Outcome 1: give a target date"):
        create(cast, [services.OutcomeInput("No date", None)])
    assert not SupportPlan.objects.filter(pupil=cast.pupil_b1).exists()
    assert not Outcome.objects.filter(plan__pupil=cast.pupil_b1).exists()


def test_review_date_before_start_is_refused(cast):
    with pytest.raises(ValidationError, match="review date must be on or after"):
        create(cast, [outcome()], starts_on=days(0), review_on=days(-1))


def test_second_save_from_a_stale_version_is_refused_and_the_first_is_kept(cast, plan):
    senco, teacher = cast.users["senco_a"], cast.users["teacher_a"]
    read_at = plan.version
    services.update_plan(plan, version=read_at, starts_on=plan.starts_on,
                         review_on=plan.review_on, outcomes=[outcome("SENCO's outcome")],
                         by=senco, strengths="SENCO's words")
    with pytest.raises(services.Conflict, match="Someone else saved this support plan"):
        services.update_plan(plan, version=read_at, starts_on=plan.starts_on,
                             review_on=plan.review_on, outcomes=[outcome("Teacher's outcome")],
                             by=teacher, strengths="Teacher's words")
    plan.refresh_from_db()
    assert plan.strengths == "SENCO's words"
    assert [o.description for o in plan.outcomes.all()] == ["SENCO's outcome"]
    assert plan.version == read_at + 1


def test_review_closes_the_cycle_and_opens_the_next_carrying_forward(cast, plan):
    first, second = plan.outcomes.all()
    nxt = services.record_review(
        plan, version=plan.version, held_on=days(0), next_review_on=days(60),
        progress=[services.ProgressInput(first, "achieved", "Reads 45 words"),
                  services.ProgressInput(second, "partly", "Sometimes", carry_forward=True)],
        pupil_views="I like reading", parent_views="Happier", by=cast.users["senco_a"])
    plan.refresh_from_db()
    assert plan.status == SupportPlan.Status.REVIEWED
    # The earlier cycle keeps its outcomes and their progress, unchanged.
    assert [o.description for o in plan.outcomes.all()] == [first.description,
                                                            second.description]
    assert OutcomeProgress.objects.get(outcome=first).evidence == "Reads 45 words"
    assert nxt.cycle == 2 and nxt.previous == plan and nxt.is_open
    assert nxt.strengths == plan.strengths
    carried = list(nxt.outcomes.all())
    assert [(o.description, o.carried_from_id) for o in carried] == [
        (second.description, second.pk)]
    assert ChronologyEntry.objects.filter(pupil=cast.pupil_a1, kind="review").exists()
    assert AuditEntry.objects.filter(action="support.plan.reviewed",
                                     pupil_code=cast.pupil_a1.code).exists()
    with pytest.raises(ValidationError, match="kept as it was"):
        services.update_plan(plan, version=plan.version, starts_on=plan.starts_on,
                             review_on=plan.review_on, outcomes=[outcome()],
                             by=cast.users["senco_a"])


@pytest.mark.parametrize("held, message", [
    (days(1), "cannot be in the future"),
    (days(-31), "cannot be before the plan starts"),
])
def test_review_dates_that_cannot_be_are_refused(cast, plan, held, message):
    progress = [services.ProgressInput(o, "achieved") for o in plan.outcomes.all()]
    with pytest.raises(ValidationError, match=message):
        services.record_review(plan, version=plan.version, held_on=held,
                               next_review_on=days(60), progress=progress,
                               by=cast.users["senco_a"])
    plan.refresh_from_db()
    assert plan.is_open and not Review.objects.filter(plan=plan).exists()


def test_review_needs_progress_on_every_outcome(cast, plan):
    first = plan.outcomes.first()
    with pytest.raises(ValidationError, match="progress on every outcome"):
        services.record_review(plan, version=plan.version, held_on=days(0),
                               next_review_on=days(60),
                               progress=[services.ProgressInput(first, "achieved")],
                               by=cast.users["senco_a"])


def test_a_held_conversation_cannot_be_in_the_future(cast):
    with pytest.raises(ValidationError, match="cannot be in the future"):
        services.log_conversation(cast.pupil_a1, status="held", on=days(2), actions=[],
                                  by=cast.users["senco_a"])
    with pytest.raises(ValidationError, match="Action 1: say who will do it"):
        services.log_conversation(cast.pupil_a1, status="held", on=days(0),
                                  actions=[services.ActionInput("Reading log", "", days(7))],
                                  by=cast.users["senco_a"])
    assert not cast.pupil_a1.conversations.exists()


def upload(name, content):
    return SimpleUploadedFile(name, content)


def add_doc(cast, name, content):
    return services.add_chronology_entry(cast.pupil_a1, on=days(0), kind="letter",
                                         title="Letter", upload=upload(name, content),
                                         by=cast.users["senco_a"])


def test_a_pdf_is_stored_outside_the_web_root_under_a_random_name(cast, documents_dir):
    entry = add_doc(cast, "report.pdf", PDF)
    doc = entry.documents.get()
    path = documents.path_of(doc.stored_name)
    assert path.parent == documents_dir and path.read_bytes() == PDF
    assert doc.stored_name != "report.pdf" and doc.content_type == "application/pdf"


@pytest.mark.parametrize("name, content, message", [
    ("notes.txt", b"hello", "not a file type we accept"),
    ("report.pdf", PNG, "named as .pdf but its content is a PNG file"),
    ("photo.png", b"MZ\x90\x00" + b"\x00" * 60, "content is"),
    ("empty.pdf", b"", "The file is empty"),
])
def test_wrong_or_disguised_files_are_refused_and_nothing_is_stored(cast, documents_dir, name,
                                                                    content, message):
    with pytest.raises(ValidationError, match=message):
        add_doc(cast, name, content)
    assert not ChronologyEntry.objects.filter(pupil=cast.pupil_a1).exists()
    assert not Document.objects.exists()
    assert not documents_dir.exists() or not any(documents_dir.iterdir())


def test_a_file_over_the_limit_is_refused(cast, settings, documents_dir):
    settings.SENDTRUST_DOCUMENT_MAX_BYTES = 100
    message = f"The file is {len(PDF) + 200} bytes; the limit is 100 bytes"
    with pytest.raises(ValidationError, match=message):
        add_doc(cast, "big.pdf", PDF + b"x" * 200)
    assert not Document.objects.exists()


def test_a_report_is_accepted_into_the_current_plan(cast, plan):
    report = services.add_report(cast.pupil_a1, visited_on=days(-1), title="SALT visit",
                                 findings="Delay", recommendations="Visual timetable",
                                 by=cast.users["external_a1"])
    services.accept_report(report, by=cast.users["senco_a"])
    plan.refresh_from_db()
    assert "Visual timetable" in plan.assessment and report.accepted_into == plan
    with pytest.raises(ValidationError, match="already been accepted"):
        services.accept_report(report, by=cast.users["senco_a"])
