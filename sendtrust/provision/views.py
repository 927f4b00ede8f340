"""Provision pages: the catalogue, a school's provision and groups, scores and sessions,
individual provision, the provision map and its exports, the element 2 list, the trust map,
impact with its forest plot, funding, EHC hours delivered and staff expertise.

Each view resolves its object once through policy.provision (404 outsiders, 403 members
without the right), lists pupils only through visible_pupils, and calls a service to write.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from sendtrust.access.audit import log_action
from sendtrust.access.policy import get_pupil_for_user, visible_pupils
from sendtrust.access.policy import provision as rules
from sendtrust.access.policy.provision import Right
from sendtrust.analytics import export
from sendtrust.analytics.figures import provision as figures
from sendtrust.organisations.models import School, Trust
from sendtrust.people.twofactor import ensure_recent_auth, require_recent_auth
from sendtrust.provision import facts, forms, services
from sendtrust.provision.models import (
    GroupEnrolment,
    Intervention,
    OutcomeMeasure,
    ProvisionGroup,
    StaffQualification,
)

SCHOOLS = School.objects.select_related("trust")
TRUSTS = Trust.objects.all()
GROUPS = ProvisionGroup.objects.select_related("school__trust", "intervention__measure")
ENROLMENTS = GroupEnrolment.objects.select_related("school__trust", "group__intervention__measure",
                                                   "pupil")


def _form_page(request, form, save, *, done, template, context):
    """Check the form, save through the service (which may still refuse, naming the field),
    then say what happened and go on; or show the form again with its errors (400)."""
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved = save(form.cleaned_data)
        except ValidationError as e:
            forms.attach_errors(form, e)
        else:
            message, target = done(saved)
            messages.success(request, message)
            return redirect(target)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {**context, "form": form}, status=status)


def _measure_words(measure) -> str:
    way = "higher" if measure.higher_is_better else "lower"
    return (f"{measure.name}: valid scores run from {measure.minimum:g} to {measure.maximum:g}; "
            f"a {way} score is better.")


def _today():
    return timezone.localdate()


# The catalogue -------------------------------------------------------------------------------


@login_required
@require_safe
def catalogue(request, code):
    """The trust's core offer, the schools' own interventions and the outcome measures."""
    trust = rules.fetch(request, TRUSTS, code, Right.CATALOGUE_VIEW)
    user = request.user
    interventions = (Intervention.objects.filter(trust=trust)
                     .select_related("school", "measure").order_by("school__name", "name"))
    school_ids = rules.schools_for(user, Right.SCHOOL_VIEW, trust)
    return render(request, "provision/catalogue.html", {
        "trust": trust,
        "core": [i for i in interventions if i.school_id is None],
        "own": [i for i in interventions if i.school_id is not None],
        "measures": OutcomeMeasure.objects.filter(trust=trust),
        "schools": trust.schools.filter(pk__in=school_ids).order_by("name"),
        "may_edit": rules.allows(user, Right.CATALOGUE_EDIT, trust),
        "may_see_figures": rules.allows(user, Right.TRUST_FIGURES, trust),
        "may_see_named": rules.allows(user, Right.NAMED_LISTS, trust),
    })


def _intervention_form(request, trust, school, back):
    form = forms.InterventionForm(request.POST or None, trust=trust)

    def save(data):
        return services.create_intervention(trust, school=school, request=request, **data)

    where = school.name if school else f"{trust.name}'s core offer"
    return _form_page(
        request, form, save,
        done=lambda i: (f"{i.name} was added to {where}.", back),
        template="provision/form.html",
        context={"heading": f"Add an intervention to {where}", "back": back,
                 "submit": "Add the intervention",
                 "intro": "Describe what it is, how it is delivered, the evidence for it and "
                          "the outcome measure its pupils are assessed on."})


@login_required
def add_intervention(request, code):
    trust = rules.fetch(request, TRUSTS, code, Right.CATALOGUE_EDIT)
    return _intervention_form(request, trust, None,
                              reverse("provision:catalogue", args=[trust.code]))


@login_required
def add_school_intervention(request, code):
    school = rules.fetch(request, SCHOOLS, code, Right.CATALOGUE_EDIT)
    return _intervention_form(request, school.trust, school,
                              reverse("provision:catalogue", args=[school.trust.code]))


@login_required
def add_measure(request, code):
    trust = rules.fetch(request, TRUSTS, code, Right.CATALOGUE_EDIT)
    form = forms.MeasureForm(request.POST or None)
    return _form_page(
        request, form,
        lambda data: services.create_measure(trust, request=request, **data),
        done=lambda m: (f"The measure {m.name} was added.",
                        reverse("provision:catalogue", args=[trust.code])),
        template="provision/form.html",
        context={"heading": "Add an outcome measure", "submit": "Add the measure",
                 "back": reverse("provision:catalogue", args=[trust.code]),
                 "intro": "Scores outside the valid range are refused, and so is a fall "
                          "from entry to exit larger than you allow."})


# A school's provision ------------------------------------------------------------------------


def _map_filters(request, school):
    form = forms.MapFilterForm(request.GET or None, school=school)
    data = form.cleaned_data if form.is_valid() else {}
    return form, {"area": data.get("area") or "", "kind": data.get("kind") or "",
                  "year_group": data.get("year_group"),
                  "teaching_group": data.get("teaching_group")}


@login_required
@require_safe
def school_provision(request, code):
    """A school's groups and its provision map (the pupils the viewer may see)."""
    school = rules.fetch(request, SCHOOLS, code, Right.SCHOOL_VIEW)
    user = request.user
    filter_form, filters = _map_filters(request, school)
    table = figures.school_map(user, school, on=_today(), **filters)
    groups = GROUPS.filter(school=school)
    if not rules.allows(user, Right.MANAGE, school):
        # Staff who see only some pupils see the groups those pupils are in.
        groups = groups.filter(enrolments__pupil__in=visible_pupils(user, school)).distinct()
    log_action(request, "provision.map.viewed", school=school, rows=len(table.rows))
    query = request.GET.urlencode()
    return render(request, "provision/school.html", {
        "school": school, "trust": school.trust, "table": table, "filter_form": filter_form,
        "groups": groups.order_by("-starts_on", "name"),
        "may_manage": rules.allows(user, Right.MANAGE, school),
        "may_export": rules.allows(user, Right.EXPORT, school),
        "may_see_named": rules.allows(user, Right.NAMED_LISTS, school),
        "exports": {fmt: reverse("provision:export_school_map", args=[school.code, fmt])
                    + (f"?{query}" if query else "") for fmt in export.FORMATS},
    })


def _download(request, table, fmt, name, **where):
    if fmt not in export.FORMATS:
        raise Http404("Not found")
    log_action(request, "provision.exported", table=table.key, format=fmt,
               rows=len(table.rows), **where)
    make = export.csv_response if fmt == "csv" else export.xlsx_response
    return make(table, export.filename(name, table, fmt))


@login_required
@require_recent_auth
@require_safe
def export_school_map(request, code, fmt):
    school = rules.fetch(request, SCHOOLS, code, Right.EXPORT)
    ensure_recent_auth(request)
    _, filters = _map_filters(request, school)
    table = figures.school_map(request.user, school, on=_today(), **filters)
    return _download(request, table, fmt, school.name, school=school)


@login_required
def add_group(request, code):
    school = rules.fetch(request, SCHOOLS, code, Right.MANAGE)
    form = forms.GroupForm(request.POST or None, school=school,
                           staff=services.staff_of(school))

    def save(data):
        staff = data.pop("staff")
        given = {k: v for k, v in data.items() if v not in (None, "")}
        return services.create_group(school, request=request, staff=staff, **given)

    return _form_page(
        request, form, save,
        done=lambda g: (f"The group {g.name} was set up. Now enrol its pupils.",
                        reverse("provision:group", args=[g.code])),
        template="provision/form.html",
        context={"heading": f"Set up a provision group at {school.name}",
                 "submit": "Set up the group",
                 "back": reverse("provision:school_provision", args=[school.code]),
                 "intro": "Sessions a week and minutes a session default to the "
                          "intervention's own pattern when left blank."})


def _enrol_candidates(user, group):
    already = group.enrolments.values("pupil_id")
    return visible_pupils(user, group.school).exclude(pk__in=already).order_by(
        "surname", "forename")


def _group_page(request, group, *, enrol_form=None, session_form=None, status=200):
    user = request.user
    may_manage = rules.allows(user, Right.MANAGE, group)
    enrolments = (group.enrolments.filter(pupil__in=visible_pupils(user))
                  .select_related("pupil").annotate(attended=Count("sessions"))
                  .order_by("pupil__surname", "pupil__forename"))
    measure = group.intervention.measure
    rows = []
    for e in enrolments:
        gain = (measure.gain(e.entry_score, e.exit_score)
                if e.entry_score is not None and e.exit_score is not None else None)
        rows.append({"enrolment": e, "gain": gain, "attended": e.attended})
    if may_manage:
        enrol_form = enrol_form or forms.EnrolForm(pupils=_enrol_candidates(user, group))
        session_form = session_form or forms.SessionForm(
            enrolments=enrolments, initial={"held_on": min(_today(), group.ends_on)})
    log_action(request, "provision.group.viewed", school=group.school, group=str(group.code),
               rows=len(rows))
    return render(request, "provision/group.html", {
        "group": group, "school": group.school, "measure": measure, "rows": rows,
        "sessions": group.sessions.all()[:10], "may_manage": may_manage,
        "enrol_form": enrol_form, "session_form": session_form,
        "may_see_impact": rules.allows(user, Right.IMPACT, group.school.trust),
    }, status=status)


@login_required
@require_safe
def group_detail(request, code):
    group = rules.fetch(request, GROUPS, code, Right.SCHOOL_VIEW)
    return _group_page(request, group)


def _group_post(request, group, form, act, message, slot):
    """A form posted from the group page: act on it, or show the page again with its errors."""
    if form.is_valid():
        try:
            with transaction.atomic():
                act(form.cleaned_data)
        except ValidationError as e:
            forms.attach_errors(form, e)
        else:
            messages.success(request, message(form.cleaned_data))
            return redirect("provision:group", group.code)
    return _group_page(request, group, status=400, **{slot: form})


@require_POST
@login_required
def enrol_pupil(request, code):
    group = rules.fetch(request, GROUPS, code, Right.MANAGE)
    form = forms.EnrolForm(request.POST, pupils=_enrol_candidates(request.user, group))
    return _group_post(
        request, group, form,
        lambda d: services.enrol_pupil(group, d["pupil"], request=request,
                                       entry_score=d["entry_score"], entry_on=d["entry_on"]),
        lambda d: f"{d['pupil'].forename} {d['pupil'].surname} was enrolled.", "enrol_form")


@require_POST
@login_required
def record_session(request, code):
    group = rules.fetch(request, GROUPS, code, Right.MANAGE)
    enrolments = group.enrolments.filter(pupil__in=visible_pupils(request.user)).select_related(
        "pupil")
    form = forms.SessionForm(request.POST, enrolments=enrolments)
    return _group_post(
        request, group, form,
        lambda d: services.record_session(group, request=request, held_on=d["held_on"],
                                          present=list(d["present"])),
        lambda d: f"The session on {d['held_on']:%-d %B %Y} was recorded: "
                  f"{len(d['present'])} present.", "session_form")


@login_required
def edit_scores(request, code):
    enrolment = rules.fetch(request, ENROLMENTS, code, Right.MANAGE)
    form = forms.ScoresForm(request.POST or None, instance=enrolment)
    group = enrolment.group

    def save(data):
        return services.record_scores(
            GroupEnrolment.objects.select_related("group__intervention__measure", "pupil")
            .get(pk=enrolment.pk), request=request, **data)

    pupil = enrolment.pupil
    return _form_page(
        request, form, save,
        done=lambda e: (f"Scores for {pupil.forename} {pupil.surname} were saved.",
                        reverse("provision:group", args=[group.code])),
        template="provision/form.html",
        context={"heading": f"Scores for {pupil.forename} {pupil.surname} in {group.name}",
                 "submit": "Save the scores",
                 "back": reverse("provision:group", args=[group.code]),
                 "intro": _measure_words(group.intervention.measure)})


# A pupil's provision ---------------------------------------------------------------------------


@login_required
def add_individual(request, code):
    pupil = get_pupil_for_user(request, code)
    rules.require(request.user, Right.MANAGE, pupil)
    form = forms.IndividualForm(request.POST or None,
                                initial={"starts_on": _today(),
                                         "area": getattr(pupil.primary_need, "broad_area", "")})
    return _form_page(
        request, form,
        lambda data: services.add_individual(pupil, request=request, **data),
        done=lambda i: (f"{i.get_kind_display()} was added for {pupil.forename}.",
                        reverse("pupil_record", args=[pupil.code])),
        template="provision/form.html",
        context={"heading": f"Add individual provision for {pupil.forename} "
                            f"{pupil.surname}", "submit": "Add the provision",
                 "back": reverse("pupil_record", args=[pupil.code]),
                 "intro": "One-to-one support is costed from its hours a week and the hourly "
                          "rate of who gives it; equipment and services from their cost a "
                          "year."})


@login_required
def set_ehc_hours(request, code):
    pupil = get_pupil_for_user(request, code)
    rules.require(request.user, Right.MANAGE, pupil)
    form = forms.EhcHoursForm(request.POST or None, initial={"starts_on": _today()})
    return _form_page(
        request, form,
        lambda data: services.set_ehc_hours(pupil, request=request, **data),
        done=lambda s: (f"The EHC plan's {s.hours_per_week} hours a week were recorded.",
                        reverse("pupil_record", args=[pupil.code])),
        template="provision/form.html",
        context={"heading": f"Hours of provision {pupil.forename} {pupil.surname}'s EHC "
                            "plan specifies", "submit": "Save the hours",
                 "back": reverse("pupil_record", args=[pupil.code])})


# Named lists: element 2 and EHC hours ----------------------------------------------------------


def _named_list(request, obj, kind):
    trust, school = rules.scope(obj)
    user = request.user
    if kind == "element2":
        table = figures.element2(user, trust, on=_today(), school=school)
    else:
        table = figures.ehc_delivery(user, trust, on=_today(), school=school,
                                     shortfall_only=request.GET.get("all") != "1")
    fmt = request.GET.get("format")
    if fmt:
        rules.require(user, Right.EXPORT, obj)
        return _download(request, table, fmt, school.name if school else trust.name,
                         trust=trust, school=school)
    log_action(request, f"provision.{kind}.viewed", trust=trust, school=school,
               rows=len(table.rows))
    return render(request, "provision/named_list.html", {
        "trust": trust, "school": school, "table": table, "kind": kind,
        "may_export": rules.allows(user, Right.EXPORT, obj),
    })


@login_required
@require_safe
def element2_school(request, code):
    return _named_list(request, rules.fetch(request, SCHOOLS, code, Right.NAMED_LISTS),
                       "element2")


@login_required
@require_safe
def element2_trust(request, code):
    return _named_list(request, rules.fetch(request, TRUSTS, code, Right.NAMED_LISTS),
                       "element2")


@login_required
@require_safe
def ehc_hours_school(request, code):
    return _named_list(request, rules.fetch(request, SCHOOLS, code, Right.NAMED_LISTS), "ehc")


@login_required
@require_safe
def ehc_hours_trust(request, code):
    return _named_list(request, rules.fetch(request, TRUSTS, code, Right.NAMED_LISTS), "ehc")


# Trust figures ---------------------------------------------------------------------------------


@login_required
@require_safe
def trust_map(request, code):
    trust = rules.fetch(request, TRUSTS, code, Right.TRUST_FIGURES)
    table = figures.trust_map(request.user, trust, on=_today())
    fmt = request.GET.get("format")
    if fmt:
        return _download(request, table, fmt, trust.name, trust=trust)
    log_action(request, "provision.trust_map.viewed", trust=trust)
    return render(request, "provision/trust_table.html", {
        "trust": trust, "table": table, "title": "Provision map across the trust"})


@login_required
@require_safe
def funding(request, code):
    trust = rules.fetch(request, TRUSTS, code, Right.TRUST_FIGURES)
    table = figures.funding(request.user, trust, on=_today())
    fmt = request.GET.get("format")
    if fmt:
        return _download(request, table, fmt, trust.name, trust=trust)
    may_edit = rules.allows(request.user, Right.FUNDING_EDIT, trust)
    year = facts.school_year(_today())[0].year
    form = forms.BudgetForm(trust=trust, initial={"year": year}) if may_edit else None
    return render(request, "provision/funding.html", {
        "trust": trust, "table": table, "form": form, "title": "SEND funding and TA time"})


@login_required
def set_budget(request, code):
    trust = rules.fetch(request, TRUSTS, code, Right.FUNDING_EDIT)
    form = forms.BudgetForm(request.POST or None, trust=trust)
    return _form_page(
        request, form,
        lambda data: services.set_budget(data.pop("school"), request=request, **data),
        done=lambda b: (f"The notional SEN budget of {b.school.name} for {b} was saved.",
                        reverse("provision:funding", args=[trust.code])),
        template="provision/funding.html",
        context={"trust": trust, "table": figures.funding(request.user, trust, on=_today()),
                 "title": "SEND funding and TA time"})


@login_required
@require_safe
def impact(request, code):
    """Impact of one intervention per school and pooled, as a forest plot and a table."""
    trust = rules.fetch(request, TRUSTS, code, Right.IMPACT)
    interventions = list(Intervention.objects.filter(trust=trust).select_related("measure")
                         .order_by("name"))
    chosen = request.GET.get("intervention")
    current = next((i for i in interventions if str(i.code) == chosen),
                   interventions[0] if interventions else None)
    figure = figures.impact(request.user, trust, current) if current else None
    fmt = request.GET.get("format")
    if figure and fmt:
        return _download(request, figure.table, fmt, f"{trust.name} {current.name}",
                         trust=trust)
    if figure:
        base = reverse("provision:impact", args=[trust.code]) + f"?intervention={current.code}"
        figure.exports = {f: f"{base}&format={f}" for f in export.FORMATS}
    log_action(request, "provision.impact.viewed", trust=trust,
               intervention=str(current.code) if current else "")
    return render(request, "provision/impact.html", {
        "trust": trust, "interventions": interventions, "current": current, "chart": figure})


@login_required
@require_safe
def expertise(request, code):
    """Who holds which SEND qualification or training, and which needs lack it by school."""
    trust = rules.fetch(request, TRUSTS, code, Right.CATALOGUE_VIEW)
    rows = (StaffQualification.objects.filter(trust=trust)
            .select_related("person", "school", "intervention")
            .order_by("school__name", "person__username", "-awarded_on"))
    return render(request, "provision/expertise.html", {
        "trust": trust, "rows": rows,
        "gaps": figures.expertise_gaps(request.user, trust, on=_today()),
        "may_edit": rules.allows(request.user, Right.FUNDING_EDIT, trust),
    })


@login_required
def add_qualification(request, code):
    trust = rules.fetch(request, TRUSTS, code, Right.FUNDING_EDIT)
    staff = services.staff_of_trust(trust)
    form = forms.QualificationForm(request.POST or None, trust=trust, staff=staff)
    return _form_page(
        request, form,
        lambda data: services.add_qualification(trust, request=request, **data),
        done=lambda q: (f"{q.title} was recorded.",
                        reverse("provision:expertise", args=[trust.code])),
        template="provision/form.html",
        context={"heading": "Record a SEND qualification or training",
                 "submit": "Record it",
                 "back": reverse("provision:expertise", args=[trust.code])})



# Import ----------------------------------------------------------------------------------------


@login_required
@require_recent_auth
def import_provision(request, code):
    """Groups, enrolments and scores from CSV or .xlsx: every row checked, all or nothing."""
    from sendtrust.provision import importer

    school = rules.fetch(request, SCHOOLS, code, Right.MANAGE)
    ensure_recent_auth(request)  # asked when the form opens, so no chosen file is lost
    result = None
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            result = importer.Result([importer.RowError(1, "file", "", "choose a CSV or "
                                                                       ".xlsx file")])
        else:
            result = importer.import_file(school, upload.read(), upload.name, request=request)
        if result.ok:
            messages.success(request, f"Imported: {result.groups_created} new groups, "
                                      f"{result.enrolled} pupils enrolled, {result.updated} "
                                      "enrolments updated.")
            return redirect("provision:school_provision", school.code)
        status = 400
    return render(request, "provision/import.html", {
        "school": school, "result": result, "columns": importer.COLUMNS}, status=status)
