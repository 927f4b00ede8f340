"""The SEN register and a pupil's record."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sendtrust.access import policy
from sendtrust.access.audit import log_action
from sendtrust.access.policy import Action
from sendtrust.pupils import services
from sendtrust.pupils.forms import MoveForm, RegisterFilterForm, StatusForm
from sendtrust.pupils.models import Enrolment, SenEpisode


def _register_context(request, qs):
    form = RegisterFilterForm(request.GET)
    qs = form.filter(qs).select_related("primary_need", "school")
    # Two queries a page (count and rows) whatever the size of the school.
    page = Paginator(qs, per_page=settings.REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {"form": form, "page": page, "query": query.urlencode()}


@login_required
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
    template = "pupils/register.html"
    if request.htmx:
        template += "#register-results"
    return render(request, template, ctx)


@login_required
def my_pupils(request):
    """The pupils this person may see: taught, their own child, or assigned to them."""
    qs = policy.visible_pupils(request.user)
    ctx = _register_context(request, qs)
    ctx["school"] = None
    template = "pupils/register.html"
    if request.htmx:
        template += "#register-results"
    return render(request, template, ctx)


@login_required
def pupil_record(request, code):
    """One pupil's record: status timeline, needs, identification. Every view is audited."""
    pupil = policy.get_pupil_for_user(request, code)
    log_action(request, "pupil.record.viewed", pupil=pupil)
    return render(request, "pupils/record.html", _record_context(request, pupil))


def _record_context(request, pupil, status_form=None, move_form=None):
    episodes = list(
        SenEpisode.objects.filter(pupil=pupil)
        .select_related("primary_need", "secondary_need")
        .order_by("-starts_on", "-id")
    )
    can_change = policy.allows(request.user, Action.PUPIL_CHANGE, pupil)
    can_move = policy.allows(request.user, Action.PUPIL_MOVE, pupil)
    ctx = {
        "pupil": pupil,
        "episodes": episodes,
        "current": next((e for e in episodes if e.ends_on is None), None),
        "identifications": pupil.identifications.select_related("episode"),
        "enrolments": Enrolment.objects.filter(pupil=pupil).select_related("school"),
        "can_change": can_change,
        "can_move": can_move,
        "can_open_register": policy.allows(request.user, Action.SCHOOL_REGISTER, pupil.school),
    }
    if can_change:
        ctx["status_form"] = status_form or StatusForm(
            initial={
                "provision": pupil.sen_provision,
                "primary_need": getattr(pupil.primary_need, "code", None),
            }
        )
    if can_move:
        schools = pupil.school.trust.schools.exclude(pk=pupil.school_id)
        ctx["move_form"] = move_form or MoveForm(schools=schools)
    return ctx


@require_POST
@login_required
def change_status(request, code):
    """Record a change of SEN provision or need as a new episode."""
    pupil = policy.get_rw_pupil_for_user(request, code)
    form = StatusForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            episode = services.record_status(
                pupil, provision=d["provision"], primary=d["primary_need"],
                secondary=d["secondary_need"], on=d["starts_on"], by=request.user,
                request=request,
            )
        except ValidationError as e:
            for field, errors in e.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if episode is None:
                messages.info(request, "Nothing changed: that is already the pupil's status.")
            else:
                messages.success(
                    request, "Status recorded. The earlier status is kept in the history."
                )
            return redirect("pupil_record", pupil.code)
    ctx = _record_context(request, pupil, status_form=form)
    return render(request, "pupils/record.html", ctx, status=400)


@require_POST
@login_required
def move_pupil(request, code):
    """Move a pupil to another school of the trust; their history moves with them."""
    pupil = policy.get_pupil_for_user(request, code)
    policy.require(request.user, Action.PUPIL_MOVE, pupil)
    schools = pupil.school.trust.schools.exclude(pk=pupil.school_id)
    form = MoveForm(request.POST, schools=schools)
    if form.is_valid():
        try:
            services.move_pupil(
                pupil, to_school=form.cleaned_data["to_school"], on=form.cleaned_data["on"],
                by=request.user, request=request,
            )
        except ValidationError as e:
            for field, errors in e.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"{pupil.full_name} now belongs to {pupil.school.name}.")
            return redirect("pupil_record", pupil.code)
    ctx = _record_context(request, pupil, move_form=form)
    return render(request, "pupils/record.html", ctx, status=400)

