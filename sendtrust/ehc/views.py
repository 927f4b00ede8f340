"""EHC pages: a pupil's journey with its clocks, worklists for a school and for the trust,
compliance figures, the phase transfer list and the calendar feed."""

from __future__ import annotations

from itertools import groupby
from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template import defaultfilters
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from sendtrust.access import policy
from sendtrust.access.audit import log_action
from sendtrust.access.policy import Action
from sendtrust.access.policy.ehc import EhcRight
from sendtrust.access.policy.ehc import get_school_for_user as ehc_school
from sendtrust.access.policy.ehc import get_trust_for_user as ehc_trust
from sendtrust.analytics.figures import ehc as figures
from sendtrust.ehc import calendar, facts, services
from sendtrust.ehc.clocks import CLOCK_LABELS, KIND_LABELS, long_date
from sendtrust.ehc.forms import EventForm, FeedForm, NoteForm
from sendtrust.ehc.models import Event, Journey
from sendtrust.lib import links
from sendtrust.pupils.forms import add_service_errors

STATE_WORDS = {
    "done": "Done on time", "late": "Done late", "not_recorded": "Closed with no record",
    "overdue": "Overdue", "due_soon": "Due in the next 4 weeks", "upcoming": "Upcoming",
}


def _today():
    return timezone.localdate()


def _journey_context(request, pupil, *, event_form=None, note_form=None):
    today = _today()
    rows = facts.journeys(Journey.objects.filter(pupil=pupil), today=today)
    row = rows[0] if rows else None
    full = policy.ehc.sees_notes(request.user, pupil)
    can_record = policy.allows(request.user, Action.PUPIL_CHANGE, pupil)
    deadlines = row.clocks.deadlines if row else []
    events = list(Event.objects.filter(journey__pupil=pupil).order_by("-on", "-id")) if row \
        else []
    journey = row.journey if row else None
    if can_record and event_form is None:
        event_form = EventForm(initial={"la_code": journey.la_code if journey
                                        else pupil.school.la_code, "on": today})
    if can_record and note_form is None:
        note_form = NoteForm(deadlines=[d for d in deadlines if d.done_on is None
                                        or d.done_on > d.due])
    return {
        "pupil": pupil, "journey": journey, "clocks": row.clocks if row else None,
        "deadlines": [(d, d.state(today), STATE_WORDS[d.state(today)]) for d in deadlines],
        "events": events, "full": full, "can_record": can_record,
        "event_form": event_form, "note_form": note_form, "today": today,
        "error_form": (event_form if event_form is not None and event_form.errors
                       else note_form if note_form is not None and note_form.errors else None),
    }


@login_required
@require_safe
def journey(request, code):
    """A pupil's EHC journey: the events, and every deadline computed from them."""
    pupil = policy.get_pupil_for_user(request, code)
    log_action(request, "ehc.journey.viewed", pupil=pupil)
    return render(request, "ehc/journey.html", _journey_context(request, pupil))


def _after_save(request, pupil, form, save, which):
    if form.is_valid():
        try:
            done = save(form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, done)
            return redirect("ehc:journey", pupil.code)
    log_action(request, "ehc.journey.viewed", pupil=pupil)
    ctx = _journey_context(request, pupil, **{which: form})
    return render(request, "ehc/journey.html", ctx, status=400)


@require_POST
@login_required
def record_event(request, code):
    """Record one step of the journey; the deadlines that follow from it move at once."""
    pupil = policy.get_rw_pupil_for_user(request, code)

    def save(data):
        event = services.record_event(
            pupil, kind=data["kind"], on=data["on"], la_code=data["la_code"].strip(),
            la_name=data["la_name"].strip(), outcome=data["outcome"], note=data["note"],
            by=request.user, request=request)
        nxt = _next_open(pupil)
        then = f" Next: {nxt.next_action()}." if nxt else ""
        return f"Recorded: {KIND_LABELS[event.kind]} on {long_date(event.on)}.{then}"

    return _after_save(request, pupil, EventForm(request.POST), save, "event_form")


def _next_open(pupil):
    rows = facts.journeys(Journey.objects.filter(pupil=pupil), today=_today())
    open_ = rows[0].clocks.open_deadlines() if rows else []
    return open_[0] if open_ else None


@require_POST
@login_required
def record_note(request, code):
    """Record an exception or a delay reason on one deadline."""
    pupil = policy.get_rw_pupil_for_user(request, code)
    rows = facts.journeys(Journey.objects.filter(pupil=pupil), today=_today())
    deadlines = rows[0].clocks.deadlines if rows else []
    form = NoteForm(request.POST, deadlines=deadlines)

    def save(data):
        note = services.record_note(pupil, deadline=data["deadline"], type=data["type"],
                                    reason=data["reason"], note=data["note"],
                                    by=request.user, request=request)
        clock = CLOCK_LABELS.get(note.deadline.split(":")[0], "the deadline")
        return f"Recorded: {note.get_type_display().lower()} on {clock}."

    return _after_save(request, pupil, form, save, "note_form")


# Worklists -----------------------------------------------------------------------------------


def _worklist(scope, today) -> facts.Worklist:
    return facts.open_worklist(facts.on_roll(scope), today=today)


class Line(NamedTuple):
    """A worklist row with what it prints already looked up and in words."""

    item: facts.Item
    name: str
    school: str
    url: str
    action: str
    due: str
    state: str
    state_words: str
    deadline: object  # for its exception and delay notes
    delay: str


def _lines(items, today) -> list[Line]:
    """The rows of a worklist table, in the words the journey page's filters give, each
    distinct date, state and action worded once (a trust's list has hundreds of rows and a
    few dozen dates; filters and lookups in the template cost more than the rest together)."""
    url = links.by_code("ehc:journey")
    dates: dict = {}
    states: dict = {}
    actions: dict = {}
    out = []
    for i in items:
        d, state, pupil = i.deadline, i.state, i.pupil
        due = dates.get(d.due)
        if due is None:
            due = dates[d.due] = defaultfilters.date(d.due, "D j M Y")
        words = states.get((state, d.due))
        if words is None:
            if state == "overdue":
                words = f"Overdue by {defaultfilters.timesince_filter(d.due, today)}"
            elif d.due == today:
                words = "Due today"
            else:
                words = f"Due in {defaultfilters.timeuntil_filter(today, d.due)}"
            states[state, d.due] = words
        action = actions.get((d.clock, d.due))
        if action is None:
            action = actions[d.clock, d.due] = d.next_action()
        out.append(Line(i, pupil.full_name, pupil.school.name, url(pupil.code), action,
                        due, state, words, d,
                        d.delay.get_reason_display() if d.delay else ""))
    return out


@login_required
@require_safe
def school_worklist(request, code):
    """A school's EHC deadlines overdue or due in the next 4 weeks, with the next action."""
    school = ehc_school(request, code, EhcRight.WORKLIST)
    today = _today()
    found = _worklist(Journey.objects.filter(pupil__school=school), today)
    items = found.items
    log_action(request, "ehc.worklist.viewed", school=school, items=len(items))
    return render(request, "ehc/school_worklist.html", {
        "school": school, "items": items, "lines": _lines(items, today), "plans": found.plans,
        "today": today,
        "overdue": sum(i.state == "overdue" for i in items),
        "may_import": policy.ehc.allows(request.user, EhcRight.IMPORT, school),
    })


@login_required
@require_safe
def trust_worklist(request, code):
    """The trust's EHC deadlines across schools, grouped and filterable by local authority."""
    trust = ehc_trust(request, code, EhcRight.WORKLIST)
    today = _today()
    found = _worklist(Journey.objects.filter(pupil__school__trust=trust), today)
    items = found.items
    names = dict(found.authorities)
    names.update({s.la_code: s.la_name for s in trust.schools.all()})
    la_codes = sorted({i.la_code for i in items} | found.authorities.keys(),
                      key=lambda c: names.get(c, c))
    chosen = request.GET.get("la", "")
    if chosen and chosen not in la_codes:
        chosen = ""
    shown = [i for i in items if not chosen or i.la_code == chosen]
    shown.sort(key=lambda i: (names.get(i.la_code, i.la_code), i.deadline.due))
    groups = [(code_, names.get(code_, code_), _lines(g, today))
              for code_, g in groupby(shown, key=lambda i: i.la_code)]
    log_action(request, "ehc.worklist.viewed", trust=trust, la_code=chosen, items=len(shown))
    ctx = {"trust": trust, "groups": groups, "items": shown, "today": today,
           "authorities": [(c, names.get(c, c)) for c in la_codes], "chosen": chosen,
           "chosen_name": names.get(chosen, ""), "plans": found.plans,
           "overdue": sum(i.state == "overdue" for i in shown)}
    template = "ehc/trust_worklist.html"
    if request.htmx:
        template += "#results"
    return render(request, template, ctx)


# Compliance ----------------------------------------------------------------------------------


@login_required
@require_safe
def trust_compliance(request, code):
    """Deadlines met on time per school and authority, beside the DfE 20-week figures."""
    trust = ehc_trust(request, code, EhcRight.COMPLIANCE)
    hide = policy.is_aggregate_only(request.user, trust)
    data = figures.compliance(trust, hide=hide, today=_today())
    log_action(request, "ehc.compliance.viewed", trust=trust)
    return render(request, "ehc/compliance.html", {"trust": trust, "data": data})


@login_required
@require_safe
def school_compliance(request, code):
    school = ehc_school(request, code, EhcRight.COMPLIANCE)
    hide = policy.is_aggregate_only(request.user, school.trust)
    data = figures.compliance(school.trust, hide=hide, today=_today(), school=school)
    log_action(request, "ehc.compliance.viewed", school=school)
    return render(request, "ehc/compliance.html", {"school": school, "trust": school.trust,
                                                   "data": data})


# Phase transfer ------------------------------------------------------------------------------


def _transfers(request, scope, where, **ctx):
    today = _today()
    rows = facts.journeys(facts.on_roll(scope), today=today)
    found = [(row, d, d.state(today)) for row, d in facts.transfers(rows)]
    log_action(request, "ehc.transfers.viewed", pupils=len(found), **where)
    return render(request, "ehc/transfers.html", {**ctx, "transfers": found, "today": today,
                                                  "state_words": STATE_WORDS})


@login_required
@require_safe
def trust_transfers(request, code):
    """Pupils with an EHC plan moving phase next September, across the trust."""
    trust = ehc_trust(request, code, EhcRight.WORKLIST)
    return _transfers(request, Journey.objects.filter(pupil__school__trust=trust),
                      {"trust": trust}, trust=trust, scope_name=trust.name)


@login_required
@require_safe
def school_transfers(request, code):
    school = ehc_school(request, code, EhcRight.WORKLIST)
    return _transfers(request, Journey.objects.filter(pupil__school=school),
                      {"school": school}, school=school, scope_name=school.name)


# Calendar ------------------------------------------------------------------------------------


@login_required
def calendar_settings(request):
    """The user's secret calendar address: start (or replace) it, choose names, revoke it."""
    feed = services.current_feed(request.user)
    form = FeedForm(initial={"include_names": feed.include_names if feed else False})
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.revoke_feed(request.user, request=request)
            messages.success(request, "Your calendar address no longer works. Calendars "
                                       "subscribed to it stop updating.")
            return redirect("ehc:calendar")
        form = FeedForm(request.POST)
        if form.is_valid():
            services.start_feed(request.user, include_names=form.cleaned_data["include_names"],
                                request=request)
            messages.success(request, "Your new calendar address is below. Any earlier "
                                      "address has stopped working.")
            return redirect("ehc:calendar")
    url = (request.build_absolute_uri(reverse("ehc:calendar_feed", args=[feed.token]))
           if feed else "")
    return render(request, "ehc/calendar.html", {"feed": feed, "form": form, "url": url})


@require_safe
def calendar_feed(request, token):
    """The iCalendar feed behind a secret address: no sign-in, the owner's access today."""
    feed = services.feed_by_token(token)
    if feed is None:
        raise Http404("Not found")
    body = calendar.feed_for(feed.user, include_names=feed.include_names, today=_today())
    log_action(request, "ehc.calendar.fetched", user=feed.user)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="ehc-deadlines.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
