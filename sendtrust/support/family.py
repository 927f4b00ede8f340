"""Pages for parents and carers, in plain English: their own children only, no staff notes,
no staff navigation (templates extend support/family_base.html, not base.html)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from sendtrust.access.audit import log_action
from sendtrust.access.policy.support import family_children
from sendtrust.support import access, services
from sendtrust.support.forms import ParentViewsForm, RequestConversationForm
from sendtrust.support.models import Conversation, OnePageProfile, SupportPlan
from sendtrust.support.views import form_page, plan_context, posted, render_plan_pdf


def child_summary(pupil) -> dict:
    """What a parent sees of one child: the current plan, profile, next review, shared notes."""
    current = (SupportPlan.objects.filter(pupil=pupil, status=SupportPlan.Status.OPEN)
               .prefetch_related("outcomes", "parent_views").first())
    shared = list(pupil.conversations.filter(shared_with_family=True)
                  .exclude(status=Conversation.Status.REQUESTED).prefetch_related("actions"))
    return {
        "pupil": pupil,
        "plan": current,
        "profile": OnePageProfile.objects.filter(pupil=pupil).first(),
        "conversations": shared,
        "asked": pupil.conversations.filter(status=Conversation.Status.REQUESTED).exists(),
    }


@login_required
@require_safe
def family_home(request):
    """A parent's landing page: each of their children and what is happening for them."""
    children = list(family_children(request.user).select_related("school"))
    summaries = [child_summary(c) for c in children]
    for c in children:
        log_action(request, "support.family.viewed", pupil=c)
    return render(request, "support/family_home.html", {"children": summaries,
                                                        "today": timezone.localdate()})


@login_required
@require_safe
def family_child(request, code):
    pupil = access.get_family_pupil(request.user, code)
    log_action(request, "support.family.viewed", pupil=pupil)
    ctx = child_summary(pupil)
    if ctx["plan"] is not None:
        ctx.update(plan_context(ctx["plan"]))
    ctx["request_form"] = RequestConversationForm()
    ctx["today"] = timezone.localdate()
    return render(request, "support/family_child.html", ctx)


@login_required
def family_views(request, code):
    """Before a review, a parent writes what they think."""
    pupil = access.get_family_pupil(request.user, code)
    summary = child_summary(pupil)
    plan = summary["plan"]
    back = reverse("support:family_child", args=[pupil.code])
    if plan is None:
        messages.info(request, "There is no plan to add your views to yet.")
        return redirect(back)
    form = ParentViewsForm(posted(request))
    return form_page(
        request, form,
        lambda d: services.add_parent_views(plan, by=request.user, request=request, **d),
        done=lambda _: ("Thank you. The school will read your views before the review.", back),
        template="support/family_views.html", context={**summary})


@require_POST
@login_required
def family_request(request, code):
    """A parent asks for a conversation with the school."""
    pupil = access.get_family_pupil(request.user, code)
    form = RequestConversationForm(request.POST)
    form.is_valid()
    services.request_conversation(pupil, note=form.cleaned_data.get("note", ""),
                                  by=request.user, request=request)
    messages.success(request, "We have told the school. They will contact you to find a time.")
    return redirect("support:family_child", pupil.code)


@login_required
@require_safe
def family_plan_pdf(request, code):
    """The plan as a PDF for the family."""
    pupil = access.get_family_pupil(request.user, code)
    plan = SupportPlan.objects.filter(pupil=pupil, status=SupportPlan.Status.OPEN).first()
    if plan is None:
        messages.info(request, "There is no plan to print yet.")
        return redirect("support:family_child", pupil.code)
    return render_plan_pdf(request, plan)
