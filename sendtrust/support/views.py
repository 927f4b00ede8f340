"""Staff pages of the support app: a pupil's support plans and reviews, the one-page profile,
pupil voice, structured conversations, external reports and the chronology. Each view checks
the policy, calls a service and says what happened; every read of a child's record is
audited."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from sendtrust.access.audit import log_action
from sendtrust.access.policy.support import SupportRight, allows_support
from sendtrust.lib.pdf import html_to_pdf
from sendtrust.support import access, documents, services
from sendtrust.support.forms import (
    ChronologyForm,
    ConversationForm,
    PlanForm,
    ProfileForm,
    ReportForm,
    ReviewForm,
    VoiceForm,
    raise_on,
)
from sendtrust.support.models import (
    ChronologyEntry,
    Conversation,
    ExternalReport,
    OnePageProfile,
    SupportPlan,
)
from sendtrust.support.voice import QUESTIONS, readable


def rights(user, pupil) -> dict[str, bool]:
    """{right name: allowed} for templates (edit links appear only for those who may)."""
    return {r.name.lower(): allows_support(user, r, pupil) for r in SupportRight}


def posted(request, files=False):
    """The submitted data of a POST (even an empty one), None for a GET: an empty POST must
    bind the form so that its errors show."""
    if request.method != "POST":
        return None
    return request.FILES if files else request.POST


def form_page(request, form, save, *, done, template, context):
    """Check the form, save through the service (whose rules may still refuse, naming the
    field), then say what happened and go on; or show the form again with its errors and
    everything the person typed. A save refused by optimistic locking keeps the input too."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationError as e:
            raise_on(form, e)
        except services.Conflict as e:
            form.add_error(None, str(e))
        else:
            message, target = done(saved)
            messages.success(request, message)
            return redirect(target)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {**context, "form": form}, status=status)


def _pupil_url(pupil) -> str:
    return reverse("support:pupil_support", args=[pupil.code])


def _plan_url(plan) -> str:
    return reverse("support:plan_detail", args=[plan.code])


def plan_context(plan) -> dict:
    """A cycle with its outcomes, review, progress and the views gathered for it."""
    review = getattr(plan, "review", None) if plan.status == SupportPlan.Status.REVIEWED else None
    progress = {}
    if review is not None:
        progress = {p.outcome_id: p for p in review.progress.all()}
    voices = list(plan.voice_responses.all())
    return {
        "plan": plan,
        "outcomes": [(o, progress.get(o.pk)) for o in plan.outcomes.all()],
        "review": review,
        "parent_views": list(plan.parent_views.all()),
        "voices": [(v, readable(v.answers)) for v in voices],
        "reports": list(plan.accepted_reports.all()),
    }


# A pupil's support -----------------------------------------------------------------------


@login_required
@require_safe
def pupil_support(request, code):
    """The pupil's support: one-page profile, current plan, cycles, conversations, reports."""
    pupil = access.get_pupil(request.user, code, SupportRight.PLAN_VIEW)
    log_action(request, "support.record.viewed", pupil=pupil)
    can = rights(request.user, pupil)
    plans = list(pupil.support_plans.order_by("-cycle").prefetch_related("outcomes"))
    ctx = {
        "pupil": pupil, "can": can, "plans": plans,
        "current": next((p for p in plans if p.is_open), None),
        "profile": OnePageProfile.objects.filter(pupil=pupil).first(),
        "reports": list(pupil.external_reports.all()),
        "today": timezone.localdate(),
    }
    if can["family_view"]:
        ctx["conversations"] = list(pupil.conversations.prefetch_related("actions"))
    return render(request, "support/pupil_support.html", ctx)


@login_required
def add_plan(request, code):
    pupil = access.get_pupil(request.user, code, SupportRight.PLAN_EDIT)
    today = timezone.localdate()
    initial = {"starts_on": today}
    form = PlanForm(posted(request), initial=initial)
    return form_page(
        request, form,
        lambda d: services.create_plan(pupil, starts_on=d["starts_on"], review_on=d["review_on"],
                                       outcomes=form.outcomes(), by=request.user,
                                       request=request, **form.plan_values()),
        done=lambda plan: (f"Support plan saved with {plan.outcomes.count()} outcomes.",
                           _plan_url(plan)),
        template="support/plan_form.html", context={"pupil": pupil, "plan": None})


@login_required
@require_safe
def plan_detail(request, code):
    plan = access.get_plan(request.user, code)
    log_action(request, "support.plan.viewed", pupil=plan.pupil, object_repr=str(plan))
    ctx = plan_context(plan)
    ctx.update(pupil=plan.pupil, can=rights(request.user, plan.pupil),
               today=timezone.localdate())
    return render(request, "support/plan_detail.html", ctx)


@login_required
def edit_plan(request, code):
    plan = access.get_plan(request.user, code, SupportRight.PLAN_EDIT)
    if not plan.is_open:
        messages.info(request, "This cycle has been reviewed and is kept as it was.")
        return redirect(_plan_url(plan))
    form = PlanForm(posted(request), initial=PlanForm.initial_for(plan))

    def save(d):
        return services.update_plan(
            plan, version=d.get("version") or 0, starts_on=d["starts_on"],
            review_on=d["review_on"], outcomes=form.outcomes(), by=request.user,
            request=request, **form.plan_values())

    return form_page(request, form, save,
                     done=lambda p: ("Support plan saved.", _plan_url(p)),
                     template="support/plan_form.html", context={"pupil": plan.pupil,
                                                                 "plan": plan})


@login_required
def review_plan(request, code):
    """Record the review: progress on each outcome, the pupil's and parents' views, and open
    the next cycle with what continues."""
    plan = access.get_plan(request.user, code, SupportRight.PLAN_EDIT)
    if not plan.is_open:
        messages.info(request, "This cycle has already been reviewed.")
        return redirect(_plan_url(plan))
    outcomes = list(plan.outcomes.all())
    ctx = plan_context(plan)
    initial = {"version": plan.version, "held_on": timezone.localdate()}
    # What the family and the pupil said before the review starts the boxes off.
    parent_text = "\n\n".join(
        "\n".join(x for x in (v.going_well, v.worries, v.wishes) if x)
        for v in ctx["parent_views"])
    pupil_text = "\n".join(
        f"{q}: {c.word}" for _, answers in ctx["voices"] for q, c in answers)
    initial.update(parent_views=parent_text, pupil_views=pupil_text)
    for o in outcomes:
        initial[f"carry_{o.pk}"] = True
    form = ReviewForm(posted(request), outcomes=outcomes, initial=initial)
    return form_page(
        request, form,
        lambda d: services.record_review(
            plan, version=d["version"], held_on=d["held_on"], progress=form.progress(),
            next_review_on=d["next_review_on"], summary=d["summary"],
            pupil_views=d["pupil_views"], parent_views=d["parent_views"], by=request.user,
            request=request),
        done=lambda nxt: (f"Review recorded. Cycle {nxt.cycle} has started with "
                          f"{nxt.outcomes.count()} outcomes carried forward.", _plan_url(nxt)),
        template="support/review_form.html", context={**ctx, "pupil": plan.pupil})


@login_required
@require_safe
def plan_pdf(request, code):
    """The plan and one-page profile as a PDF in plain English, for the family."""
    plan = access.get_plan(request.user, code)
    return render_plan_pdf(request, plan)


def render_plan_pdf(request, plan):
    ctx = plan_context(plan)
    ctx.update(pupil=plan.pupil, profile=OnePageProfile.objects.filter(pupil=plan.pupil).first(),
               printed_at=timezone.localtime())
    html = render_to_string("support/plan_pdf.html", ctx, request=request)
    pdf = html_to_pdf(html)
    log_action(request, "support.plan.pdf.downloaded", pupil=plan.pupil, object_repr=str(plan),
               bytes=len(pdf))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (f'attachment; filename="support-plan-cycle-{plan.cycle}-'
                                       f'{timezone.localdate().isoformat()}.pdf"')
    return response


# One-page profile --------------------------------------------------------------------------


def profile_context(pupil):
    profile = OnePageProfile.objects.filter(pupil=pupil).first()
    current = (SupportPlan.objects.filter(pupil=pupil, status=SupportPlan.Status.OPEN)
               .prefetch_related("outcomes").first())
    strategies = [o.strategies for o in current.outcomes.all() if o.strategies] if current else []
    return {"pupil": pupil, "profile": profile, "current": current, "strategies": strategies}


@login_required
def edit_profile(request, code):
    pupil = access.get_pupil(request.user, code, SupportRight.PLAN_EDIT)
    ctx = profile_context(pupil)
    profile = ctx["profile"]
    initial = {}
    if profile is not None:
        initial = {"admire": profile.admire, "important": profile.important,
                   "support": profile.support, "version": profile.version}
    elif ctx["current"] is not None:
        # Generated from the plan: its strengths and strategies start the profile off.
        initial = {"admire": ctx["current"].strengths, "support": "\n".join(ctx["strategies"])}
    form = ProfileForm(posted(request), initial=initial)
    return form_page(
        request, form,
        lambda d: services.save_profile(pupil, version=d.get("version"), by=request.user,
                                        request=request, admire=d["admire"],
                                        important=d["important"], support=d["support"]),
        done=lambda _: ("One-page profile saved.", _pupil_url(pupil)),
        template="support/profile_form.html", context=ctx)


@login_required
@require_safe
def profile_print(request, code):
    """The one-page profile on A4 in large type, for a supply teacher."""
    pupil = access.get_pupil(request.user, code, SupportRight.PLAN_VIEW)
    log_action(request, "support.profile.printed", pupil=pupil)
    return render(request, "support/profile_print.html", profile_context(pupil))


# Pupil voice -------------------------------------------------------------------------------


@login_required
def pupil_voice(request, code):
    """A tablet-sized page where the pupil (or an adult with them) answers with pictures."""
    plan = access.get_plan(request.user, code, SupportRight.VOICE)
    if not plan.is_open:
        raise Http404("Not found")
    form = VoiceForm(posted(request))
    return form_page(
        request, form,
        lambda d: services.record_voice(plan, answers=form.answers(), own_words=d["own_words"],
                                        with_adult=d["with_adult"], by=request.user,
                                        request=request),
        done=lambda _: ("Thank you. Your answers are saved for your review.", _plan_url(plan)),
        template="support/voice.html",
        context={"plan": plan, "pupil": plan.pupil,
                 "rows": [(q, form[q.key]) for q in QUESTIONS]})


# Structured conversations ------------------------------------------------------------------


def _conversation_page(request, pupil, conversation):
    initial = {}
    if conversation is not None:
        initial = {k: getattr(conversation, k) for k in services.CONVERSATION_FIELDS}
        initial["status"] = (Conversation.Status.HELD
                             if conversation.status == Conversation.Status.HELD
                             else Conversation.Status.SCHEDULED)
        for n, a in enumerate(conversation.actions.all(), 1):
            initial.update({f"action_{n}_text": a.text, f"action_{n}_owner": a.owner,
                            f"action_{n}_due_on": a.due_on})
    form = ConversationForm(posted(request), initial=initial)
    return form_page(
        request, form,
        lambda d: services.log_conversation(pupil, status=d["status"], actions=form.actions(),
                                            by=request.user, request=request,
                                            conversation=conversation, **form.values()),
        done=lambda c: ("Conversation saved." if c.status == Conversation.Status.HELD
                        else "Conversation planned.",
                        reverse("support:conversation", args=[c.code])),
        template="support/conversation_form.html",
        context={"pupil": pupil, "conversation": conversation})


@login_required
def add_conversation(request, code):
    pupil = access.get_pupil(request.user, code, SupportRight.FAMILY_EDIT)
    return _conversation_page(request, pupil, None)


@login_required
def edit_conversation(request, code):
    conversation = access.get_conversation(request.user, code, SupportRight.FAMILY_EDIT)
    return _conversation_page(request, conversation.pupil, conversation)


@login_required
@require_safe
def conversation_detail(request, code):
    conversation = access.get_conversation(request.user, code)
    log_action(request, "support.conversation.viewed", pupil=conversation.pupil,
               object_repr=str(conversation))
    return render(request, "support/conversation.html", {
        "conversation": conversation, "pupil": conversation.pupil,
        "actions": list(conversation.actions.all()),
        "can": rights(request.user, conversation.pupil)})


# External reports --------------------------------------------------------------------------


@login_required
def add_report(request, code):
    pupil = access.get_pupil(request.user, code, SupportRight.REPORT_WRITE)
    form = ReportForm(posted(request))
    return form_page(
        request, form,
        lambda d: services.add_report(pupil, by=request.user, request=request, **d),
        done=lambda r: ("Report saved. The school's SENCO will read it.",
                        reverse("support:report", args=[r.code])),
        template="support/report_form.html", context={"pupil": pupil})


@login_required
@require_safe
def report_detail(request, code):
    report = access.get_report(request.user, code)
    log_action(request, "support.report.viewed", pupil=report.pupil, object_repr=report.title)
    return render(request, "support/report.html", {
        "report": report, "pupil": report.pupil,
        "can": rights(request.user, report.pupil)})


@require_POST
@login_required
def accept_report(request, code):
    report = access.get_report(request.user, code, SupportRight.REPORT_ACCEPT)
    try:
        services.accept_report(report, by=request.user, request=request)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, "Report accepted: its recommendations are now in the "
                                  "current support plan.")
    return redirect("support:report", report.code)


# Chronology and documents ------------------------------------------------------------------


@login_required
@require_safe
def chronology(request, code):
    pupil = access.get_pupil(request.user, code, SupportRight.CHRONOLOGY_VIEW)
    log_action(request, "support.chronology.viewed", pupil=pupil)
    entries = list(pupil.chronology.prefetch_related("documents").select_related("recorded_by"))
    return render(request, "support/chronology.html", {
        "pupil": pupil, "entries": entries, "can": rights(request.user, pupil)})


@login_required
def add_chronology(request, code):
    pupil = access.get_pupil(request.user, code, SupportRight.CHRONOLOGY_EDIT)
    form = ChronologyForm(posted(request), posted(request, files=True),
                          initial={"on": timezone.localdate()})
    return form_page(
        request, form,
        lambda d: services.add_chronology_entry(
            pupil, on=d["on"], kind=d["kind"], title=d["title"], notes=d["notes"],
            upload=d.get("document"), by=request.user, request=request),
        done=lambda e: ("Added to the chronology.",
                        reverse("support:chronology", args=[pupil.code])),
        template="support/chronology_form.html", context={"pupil": pupil})


@login_required
@require_safe
def download_document(request, code):
    """A document of the chronology, read from outside the web root; every download audited."""
    doc = access.get_document(request.user, code)
    path = documents.path_of(doc.stored_name)
    if not path.exists():
        raise Http404("Not found")
    log_action(request, "support.document.downloaded", pupil=doc.entry.pupil,
               object_repr=doc.original_name, document=str(doc.code), bytes=doc.size)
    response = FileResponse(open(path, "rb"), content_type=doc.content_type, as_attachment=True,
                            filename=doc.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


__all__ = ["ChronologyEntry", "ExternalReport"]
