"""The SEN register and a pupil's record."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_safe

from sendtrust.access import policy
from sendtrust.access.audit import log_action
from sendtrust.access.context_processors import parent_only
from sendtrust.access.policy import Action
from sendtrust.organisations.models import Role
from sendtrust.pupils import services
from sendtrust.pupils.forms import (
    CorrectionForm,
    LeaverForm,
    MoveForm,
    RegisterFilterForm,
    StatusForm,
    add_service_errors,
)
from sendtrust.pupils.models import Enrolment, SenEpisode


def render_partial(request, template: str, partial: str, ctx: dict, status: int = 200):
    """Render the page, or only its named partial for an htmx swap.

    A history restore (Back after the cache missed) asks for the whole page, and the answer
    varies with both headers so that no cache hands a fragment to a full-page load.
    """
    if request.htmx and not request.htmx.history_restore_request:
        template += f"#{partial}"
    response = render(request, template, ctx, status=status)
    patch_vary_headers(response, ("HX-Request", "HX-History-Restore-Request"))
    return response


def _register_context(request, qs):
    years = (
        qs.filter(left_on__isnull=True).order_by("year_group")
        .values_list("year_group", flat=True).distinct()
    )
    form = RegisterFilterForm(request.GET, years=list(years))
    qs = form.filter(qs).select_related("primary_need", "school")
    # Two queries a page (count and rows) whatever the size of the school.
    page = Paginator(qs, per_page=settings.REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {"form": form, "page": page, "query": query.urlencode()}


@login_required
@require_safe
def school_register(request, code):
    """One school's SEN register: only the pupils the user may see."""
    school = policy.get_school_for_user(request, code, Action.SCHOOL_REGISTER)
    qs = policy.visible_pupils(request.user, school)
    ctx = _register_context(request, qs)
    ctx.update(
        school=school,
        can_export=policy.allows(request.user, Action.SCHOOL_EXPORT, school),
        can_import=policy.allows(request.user, Action.SCHOOL_IMPORT, school),
        can_see_trust=policy.allows(request.user, Action.TRUST_OVERVIEW, school.trust),
    )
    # Who looked at which school's register, how filtered, and how many rows it held. A search
    # is recorded as made, never its words (they may be a child's name).
    data = ctx["form"].cleaned_data if ctx["form"].is_valid() else {}
    log_action(request, "school.register.viewed", school=school, object_repr=str(school),
               rows=ctx["page"].paginator.count, page=ctx["page"].number,
               status=data.get("status") or "sen", need=getattr(data.get("need"), "code", ""),
               year=data.get("year"), sort=data.get("sort") or "name", searched=bool(data.get("q")))
    return render_partial(request, "pupils/register.html", "register-results", ctx)


@login_required
@require_safe
def my_pupils(request):
    """The pupils this person may see: taught, their own child, or assigned to them.

    A parent (and nobody else) sees their own children as a plain list: no filters, no UPNs.
    """
    qs = policy.visible_pupils(request.user)
    if parent_only(request.user):
        children = list(qs.select_related("school").order_by("surname", "forename"))
        return render(request, "pupils/my_children.html", {"children": children})
    ctx = _register_context(request, qs)
    ctx["school"] = None
    return render_partial(request, "pupils/register.html", "register-results", ctx)


# The record page's forms post to the record's own URL, so that the address stays the same
# when a form comes back with errors. Each names itself in a hidden "form" field.
FORMS = {
    "status": Action.PUPIL_CHANGE,
    "correct": Action.PUPIL_CHANGE,
    "leave": Action.PUPIL_CHANGE,
    "move": Action.PUPIL_MOVE,
}


@login_required
@require_http_methods(["GET", "POST"])
def pupil_record(request, code):
    """One pupil's record: status timeline, needs, identification. Every view is audited."""
    pupil = policy.get_pupil_for_user(request, code)
    if request.method == "GET":
        log_action(request, "pupil.record.viewed", pupil=pupil)
        return render(request, "pupils/record.html", _record_context(request, pupil))
    which = request.POST.get("form")
    if which not in FORMS:
        return HttpResponseBadRequest("Unknown form")
    policy.require(request.user, FORMS[which], pupil)
    form, done = _HANDLERS[which](request, pupil)
    if done:
        messages.success(request, done)
        return redirect("pupil_record", pupil.code)
    log_action(request, "pupil.record.viewed", pupil=pupil)
    ctx = _record_context(request, pupil, **{f"{which}_form": form})
    ctx["error_form"] = form
    return render(request, "pupils/record.html", ctx, status=400)


def _record_context(request, pupil, status_form=None, move_form=None, leave_form=None,
                    correct_form=None):
    episodes = list(
        SenEpisode.objects.filter(pupil=pupil)
        .select_related("primary_need", "secondary_need", "recorded_by")
        .prefetch_related("corrections__old_primary_need", "corrections__old_secondary_need",
                          "corrections__corrected_by")
        .order_by("-starts_on", "-id")
    )
    can_change = policy.allows(request.user, Action.PUPIL_CHANGE, pupil)
    on_roll = pupil.left_on is None
    can_move = on_roll and policy.allows(request.user, Action.PUPIL_MOVE, pupil)
    current = next((e for e in episodes if e.ends_on is None), None)
    ctx = {
        "pupil": pupil,
        "episodes": episodes,
        "current": current,
        "identifications": pupil.identifications.select_related("episode"),
        "enrolments": Enrolment.objects.filter(pupil=pupil).select_related("school"),
        "can_change": can_change,
        "can_move": can_move,
        "can_open_register": policy.allows(request.user, Action.SCHOOL_REGISTER, pupil.school),
        # The UPN is the school's administrative identifier: staff of the pupil's trust use
        # it; a parent (who reaches the record only through a parent link) is not shown it.
        "show_upn": any(pupil.school.trust_id in trusts for role, trusts
                        in policy.actor_for(request.user).role_trusts.items()
                        if role != Role.PARENT),
    }
    if can_change and on_roll:
        # A change keeps both needs unless the user changes them.
        ctx["status_form"] = status_form or StatusForm(
            auto_id="status-%s",
            initial={
                "provision": pupil.sen_provision,
                "primary_need": getattr(current, "primary_need", None),
                "secondary_need": getattr(current, "secondary_need", None),
            },
        )
        ctx["leave_form"] = leave_form or LeaverForm(auto_id="leave-%s")
    if can_change and episodes:
        ctx["correct_form"] = correct_form or CorrectionForm(
            auto_id="correct-%s", episodes=_episodes_of(pupil),
            initial={"episode": current.code if current else None},
        )
    if can_move:
        ctx["move_form"] = move_form or MoveForm(auto_id="move-%s", schools=_schools(pupil))
    return ctx


def _episodes_of(pupil):
    return SenEpisode.objects.filter(pupil=pupil).select_related("primary_need").order_by(
        "-starts_on", "-id")


def _schools(pupil):
    return pupil.school.trust.schools.exclude(pk=pupil.school_id)


def _change_status(request, pupil):
    """Record a change of SEN provision or need as a new episode."""
    form = StatusForm(request.POST, auto_id="status-%s")
    if not form.is_valid():
        return form, None
    d = form.cleaned_data
    try:
        episode = services.record_status(
            pupil, provision=d["provision"], primary=d["primary_need"],
            secondary=d["secondary_need"], on=d["starts_on"], by=request.user, request=request,
        )
    except ValidationError as e:
        add_service_errors(form, e)
        return form, None
    if episode is None:
        return form, "Nothing changed: that is already the pupil's status."
    return form, "Status recorded. The earlier status is kept in the history."


def _correct_episode(request, pupil):
    """Put right a mistaken status entry; the entry as it was is kept with the reason."""
    form = CorrectionForm(request.POST, auto_id="correct-%s", episodes=_episodes_of(pupil))
    if not form.is_valid():
        return form, None
    d = form.cleaned_data
    try:
        services.correct_episode(
            d["episode"], provision=d["provision"], primary=d["primary_need"],
            secondary=d["secondary_need"], reason=d["reason"], by=request.user,
            request=request,
        )
    except ValidationError as e:
        add_service_errors(form, e)
        return form, None
    return form, "Entry corrected. What it said before, and why it changed, are in the history."


def _record_leaver(request, pupil):
    """Take the pupil off roll with their last day and destination; history is kept."""
    form = LeaverForm(request.POST, auto_id="leave-%s")
    if not form.is_valid():
        return form, None
    try:
        services.record_leaver(pupil, on=form.cleaned_data["on"],
                               destination=form.cleaned_data["destination"],
                               by=request.user, request=request)
    except ValidationError as e:
        add_service_errors(form, e)
        return form, None
    return form, f"{pupil.full_name} is recorded as a leaver. Their history is kept."


def _move_pupil(request, pupil):
    """Move a pupil to another school of the trust; their history moves with them."""
    form = MoveForm(request.POST, auto_id="move-%s", schools=_schools(pupil))
    if not form.is_valid():
        return form, None
    try:
        services.move_pupil(pupil, to_school=form.cleaned_data["to_school"],
                            on=form.cleaned_data["on"], by=request.user, request=request)
    except ValidationError as e:
        add_service_errors(form, e)
        return form, None
    return form, f"{pupil.full_name} now belongs to {pupil.school.name}."


_HANDLERS = {
    "status": _change_status,
    "correct": _correct_episode,
    "leave": _record_leaver,
    "move": _move_pupil,
}
