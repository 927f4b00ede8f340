"""The statutory clocks of one EHC journey, computed from its dated events. No Django here.

Every deadline is derived from the events through sendtrust.lib.statutory; none is typed in.
An exception (the authority's holiday period, a parent's request) is carried beside its clock
and shown; it never moves the statutory date.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from sendtrust.lib import statutory as law


class Kind:
    """Kinds of event, in the order they happen on one day."""

    REQUEST = "request"
    DECISION_TO_ASSESS = "decision_to_assess"
    ADVICE_REQUESTED = "advice_requested"
    ADVICE_GIVEN = "advice_given"
    NOT_TO_ISSUE = "not_to_issue"
    DRAFT_PLAN = "draft_plan"
    COMMENTS_RECEIVED = "comments_received"
    FINAL_PLAN = "final_plan"
    MOVED_AUTHORITY = "moved_authority"
    REVIEW_INVITATIONS = "review_invitations"
    REVIEW_PAPERS = "review_papers"
    REVIEW_MEETING = "review_meeting"
    REVIEW_REPORT = "review_report"
    REVIEW_DECISION = "review_decision"
    AMENDED_PLAN = "amended_plan"
    PLAN_CEASED = "plan_ceased"


KIND_LABELS = {
    Kind.REQUEST: "Request for an EHC needs assessment",
    Kind.DECISION_TO_ASSESS: "Authority's decision whether to assess",
    Kind.ADVICE_REQUESTED: "Advice requested",
    Kind.ADVICE_GIVEN: "Advice given",
    Kind.NOT_TO_ISSUE: "Notice that no plan will be issued",
    Kind.DRAFT_PLAN: "Draft plan issued",
    Kind.COMMENTS_RECEIVED: "Family's comments on the draft received",
    Kind.FINAL_PLAN: "Final EHC plan issued",
    Kind.MOVED_AUTHORITY: "Plan transferred to another local authority",
    Kind.REVIEW_INVITATIONS: "Annual review invitations sent",
    Kind.REVIEW_PAPERS: "Annual review papers sent",
    Kind.REVIEW_MEETING: "Annual review meeting held",
    Kind.REVIEW_REPORT: "School's review report sent to the authority",
    Kind.REVIEW_DECISION: "Authority's decision after the review",
    Kind.AMENDED_PLAN: "Amended plan issued",
    Kind.PLAN_CEASED: "Plan ceased",
}
ORDER = {kind: i for i, kind in enumerate(KIND_LABELS)}

# Outcomes some events carry.
ASSESS, NOT_ASSESS = "assess", "not_assess"
MAINTAIN, AMEND, CEASE = "maintain", "amend", "cease"
OUTCOME_LABELS = {
    ASSESS: "Will assess", NOT_ASSESS: "Will not assess",
    MAINTAIN: "Maintain the plan", AMEND: "Amend the plan", CEASE: "Cease the plan",
}


class Clock:
    """Keys of the clocks, with whose step each one is."""

    DECISION = "decision_to_assess"
    ADVICE = "advice"
    ISSUE = "issue_decision"
    COMMENTS = "draft_comments"
    FINAL = "final_plan"
    INVITATIONS = "review_invitations"
    PAPERS = "review_papers"
    REVIEW = "annual_review"
    REPORT = "review_report"
    REVIEW_DECISION = "review_decision"
    AMENDED = "amended_plan"
    TRANSFER = "phase_transfer"


CLOCK_LABELS = {
    Clock.DECISION: "Decision whether to assess (6 weeks from the request)",
    Clock.ADVICE: "Advice (6 weeks from being asked)",
    Clock.ISSUE: "Draft plan, or notice that no plan will be issued (16 weeks)",
    Clock.COMMENTS: "Family's comments on the draft (at least 15 days)",
    Clock.FINAL: "Final plan (20 weeks from the request)",
    Clock.INVITATIONS: "Review invitations (2 weeks before the meeting)",
    Clock.PAPERS: "Review papers (2 weeks before the meeting)",
    Clock.REVIEW: "Annual review meeting (within 12 months)",
    Clock.REPORT: "School's review report (2 weeks after the meeting)",
    Clock.REVIEW_DECISION: "Authority's decision (4 weeks after the meeting)",
    Clock.AMENDED: "Amended plan (8 weeks after the amendment notice)",
    Clock.TRANSFER: "Amended plan naming the next school (phase transfer)",
}
# Who must act: what the next action says, in words, with "{date}" for the deadline.
ACTIONS = {
    Clock.DECISION: ("authority", "Chase the authority's decision whether to assess, due by "
                                  "{date}"),
    Clock.ADVICE: ("school", "Make sure the requested advice reaches the authority by {date}"),
    Clock.ISSUE: ("authority", "Chase the draft plan (or the notice not to issue) due by {date}"),
    Clock.COMMENTS: ("family", "Help the family send their comments on the draft by {date}"),
    Clock.FINAL: ("authority", "Chase the final EHC plan, due from the authority by {date}"),
    Clock.INVITATIONS: ("school", "Send the annual review invitations by {date}"),
    Clock.PAPERS: ("school", "Send the annual review papers to the family and the authority "
                             "by {date}"),
    Clock.REVIEW: ("school", "Hold the annual review meeting by {date}"),
    Clock.REPORT: ("school", "Send the review report to the authority by {date}"),
    Clock.REVIEW_DECISION: ("authority", "Chase the authority's decision after the review, due "
                                         "by {date}"),
    Clock.AMENDED: ("authority", "Chase the amended plan, due from the authority by {date}"),
    Clock.TRANSFER: ("authority", "Chase the amended plan naming the next school, due by {date}"),
}
SOON_DAYS = 28  # "due in the next 4 weeks"


class Event(NamedTuple):
    # A tuple, not a dataclass: a trust's worklist builds tens of thousands of these.
    kind: str
    on: dt.date
    la_code: str = ""
    outcome: str = ""
    school_id: int | None = None


@dataclass(slots=True)
class Deadline:
    """One statutory date of a journey: when it falls, and whether and when it was met."""

    clock: str
    due: dt.date
    started_on: dt.date  # the event the clock runs from
    done_on: dt.date | None = None
    closed: bool = False  # met, or overtaken by a later step without its own record
    la_code: str = ""
    school_id: int | None = None
    preparing_for_adulthood: bool = False
    exception: object = None  # the recorded exception, if any (reason shown beside it)
    delay: object = None  # the recorded delay reason, if any

    @property
    def key(self) -> str:
        """Stable identity of this deadline within its journey: the clock and its start."""
        return f"{self.clock}:{self.started_on.isoformat()}"

    @property
    def label(self) -> str:
        return CLOCK_LABELS[self.clock]

    @property
    def who(self) -> str:
        return ACTIONS[self.clock][0]

    def on_time(self) -> bool | None:
        """True or False once met; None while open or when closed without a record."""
        if self.done_on is None:
            return None
        return self.done_on <= self.due

    def is_open(self) -> bool:
        return self.done_on is None and not self.closed

    def state(self, today: dt.date) -> str:
        """done | late | not_recorded | overdue | due_soon | upcoming."""
        if self.done_on is not None:
            return "done" if self.done_on <= self.due else "late"
        if self.closed:
            return "not_recorded"
        if self.due < today:
            return "overdue"
        if self.due <= law.add_days(today, SOON_DAYS):
            return "due_soon"
        return "upcoming"

    def next_action(self) -> str:
        """The next action in words with its date, e.g. "... by Friday 12 March 2027"."""
        return ACTIONS[self.clock][1].format(date=long_date(self.due))


def long_date(d: dt.date) -> str:
    return f"{d:%A} {d.day} {d:%B %Y}"


@dataclass
class Journey:
    """The computed state of one journey: its deadlines, and where it stands in words."""

    deadlines: list[Deadline] = field(default_factory=list)
    stage: str = "No events yet"
    plan_since: dt.date | None = None
    ceased_on: dt.date | None = None
    la_code: str = ""

    def open_deadlines(self) -> list[Deadline]:
        return [d for d in self.deadlines if d.is_open()]


class _Events(list):
    """A journey's events in order, with each kind's events at hand (a worklist computes
    thousands of journeys: each lookup reads only the events of the kinds it asks for)."""

    def __init__(self, events):
        super().__init__(events)
        self.by_kind: dict[str, list[Event]] = {}
        for e in self:
            self.by_kind.setdefault(e.kind, []).append(e)

    def of(self, *kinds: str) -> list[Event]:
        if len(kinds) == 1:
            return self.by_kind.get(kinds[0], [])
        return sorted((e for k in kinds for e in self.by_kind.get(k, ())),
                      key=lambda e: (e.on, ORDER.get(e.kind, 99)))


def _first(events, kinds, after: dt.date, before: dt.date | None = None, *, strict=False):
    for e in events.of(*kinds):
        if (e.on > after if strict else e.on >= after) and (before is None or e.on < before):
            return e
    return None


def compute(events: Iterable[Event], *, year_group: int | None = None,
            today: dt.date, la_code: str = "", open_only: bool = False) -> Journey:
    """Return every deadline the events give rise to, in date order.

    year_group is the pupil's national curriculum year today (for preparing for adulthood and
    phase transfer); la_code the authority when no event names one. open_only keeps only the
    deadlines still running (a worklist needs no history).
    """
    events = _Events(sorted(events, key=lambda e: (e.on, ORDER.get(e.kind, 99))))
    out = Journey(la_code=next((e.la_code for e in reversed(events) if e.la_code), la_code))
    ceased = _first(events, {Kind.PLAN_CEASED}, dt.date.min)
    cease_decision = next((e for e in events.of(Kind.REVIEW_DECISION)
                           if e.outcome == CEASE), None)
    end = min([e.on for e in (ceased, cease_decision) if e], default=None)
    if end is not None:
        out.ceased_on = end
        events = _Events(e for e in events if e.on <= end)
    la_at = _authority_at(events, out.la_code)

    def add(clock, due, start, done=None, *, closed=False, school_id=None):
        d = Deadline(clock, due, start, done.on if done else None, closed,
                     la_code=la_at(start), school_id=done.school_id if done else school_id)
        out.deadlines.append(d)
        return d

    finals = events.of(Kind.FINAL_PLAN)
    requests = events.of(Kind.REQUEST)
    if requests:
        out.stage = "Assessment requested"
        _assessment(events, requests[-1], add, out)
    if finals:
        out.plan_since = finals[-1].on
        out.stage = "EHC plan in place"
        _reviews(events, finals[-1], add, year_group, today)
        if year_group is not None and end is None:
            _transfer(events, add, year_group, today, finals[-1])
    if end is not None:
        out.stage = "Plan ceased"
        # A plan that ceases stops every clock: one that would have fallen later never
        # applied, and one already missed is closed without a record.
        out.deadlines = [d for d in out.deadlines if d.done_on is not None or d.due <= end]
        for d in out.deadlines:
            if d.done_on is None:
                d.closed = True
    if open_only:
        out.deadlines = [d for d in out.deadlines if d.done_on is None and not d.closed]
    out.deadlines.sort(key=lambda d: (d.due, ORDER.get(d.clock, 0)))
    return out


def _authority_at(events, default):
    """The authority named by the latest event on or before a date (default before any)."""
    named = [(e.on, e.la_code) for e in events if e.la_code]
    days = [on for on, _ in named]

    def at(on: dt.date) -> str:
        i = bisect.bisect_right(days, on)
        return named[i - 1][1] if i else default
    return at


def _assessment(events, request, add, out):
    """The clocks of an assessment, run from its request."""
    r = request.on
    nxt_final = _first(events, {Kind.FINAL_PLAN}, r)
    decision = _first(events, {Kind.DECISION_TO_ASSESS}, r)
    add(Clock.DECISION, law.add_weeks(r, law.DECISION_TO_ASSESS_WEEKS), r, decision,
        closed=nxt_final is not None, school_id=request.school_id)
    if decision is not None and decision.outcome == NOT_ASSESS:
        out.stage = "Authority decided not to assess"
        return
    # Each request for advice is answered by the next advice given (first in, first out).
    given = [e for e in events.of(Kind.ADVICE_GIVEN) if e.on >= r]
    for ask in (e for e in events.of(Kind.ADVICE_REQUESTED) if e.on >= r):
        answer = next((g for g in given if g.on >= ask.on), None)
        if answer is not None:
            given.remove(answer)
        add(Clock.ADVICE, law.add_weeks(ask.on, law.ADVICE_WEEKS), ask.on, answer,
            closed=nxt_final is not None, school_id=ask.school_id)
    issue = _first(events, {Kind.DRAFT_PLAN, Kind.NOT_TO_ISSUE}, r)
    add(Clock.ISSUE, law.add_weeks(r, law.ISSUE_DECISION_WEEKS), r, issue,
        closed=nxt_final is not None, school_id=request.school_id)
    if issue is not None and issue.kind == Kind.NOT_TO_ISSUE:
        out.stage = "Authority decided not to issue a plan"
        return
    draft = _first(events, {Kind.DRAFT_PLAN}, r)
    if draft is not None:
        out.stage = "Draft plan issued"
        comments = _first(events, {Kind.COMMENTS_RECEIVED}, draft.on)
        add(Clock.COMMENTS, law.add_days(draft.on, law.DRAFT_COMMENT_DAYS), draft.on, comments,
            closed=nxt_final is not None, school_id=draft.school_id)
    add(Clock.FINAL, law.add_weeks(r, law.FINAL_PLAN_WEEKS), r, nxt_final,
        school_id=request.school_id)


def _reviews(events, final, add, year_group, today):
    """Each annual review cycle after the plan, and the open one."""
    anchor = final.on
    meetings = [e for e in events.of(Kind.REVIEW_MEETING) if e.on > anchor]
    for i, meeting in enumerate([*meetings, None]):
        nxt = meetings[i + 1].on if i + 1 < len(meetings) else None
        upto = meeting.on if meeting else None
        moved = [e.on for e in events.of(Kind.MOVED_AUTHORITY)
                 if anchor < e.on and (upto is None or e.on <= upto)]
        due = law.review_due(anchor, transferred_on=moved[-1] if moved else None)
        pfa = year_group is not None and law.covers_preparing_for_adulthood(
            law.year_group_on(year_group, today, meeting.on if meeting else due))
        before = law.add_weeks(meeting.on if meeting else due, -law.PAPERS_BEFORE_WEEKS)
        for clock, kind in ((Clock.INVITATIONS, Kind.REVIEW_INVITATIONS),
                            (Clock.PAPERS, Kind.REVIEW_PAPERS)):
            sent = _last(events, kind, anchor, upto)
            d = add(clock, before, anchor, sent, closed=meeting is not None and sent is None)
            d.preparing_for_adulthood = pfa
        d = add(Clock.REVIEW, due, anchor, meeting)
        d.preparing_for_adulthood = pfa
        if meeting is None:
            return
        m = meeting.on
        report = _first(events, {Kind.REVIEW_REPORT}, m, nxt)
        add(Clock.REPORT, law.add_weeks(m, law.REPORT_AFTER_WEEKS), m, report,
            school_id=meeting.school_id)
        decision = _first(events, {Kind.REVIEW_DECISION}, m, nxt)
        add(Clock.REVIEW_DECISION, law.add_weeks(m, law.DECISION_AFTER_WEEKS), m, decision,
            school_id=meeting.school_id)
        if decision is not None and decision.outcome == AMEND:
            amended = _first(events, {Kind.AMENDED_PLAN}, decision.on)
            add(Clock.AMENDED, law.add_weeks(decision.on, law.AMENDED_PLAN_WEEKS),
                decision.on, amended, school_id=meeting.school_id)
        anchor = m


def _last(events, kind, after, upto):
    found = None
    for e in events.of(kind):
        if e.on > after and (upto is None or e.on <= upto):
            found = e
    return found


def _transfer(events, add, year_group, today, final):
    transfer = law.phase_transfer(year_group, today)
    if transfer is None:
        return
    due, _ = transfer
    # The amended plan must come in the school year of the transfer, naming the next school.
    start = dt.date(law.school_year_of(today), 9, 1)
    amended = _first(events, {Kind.AMENDED_PLAN}, max(start, final.on), strict=True)
    add(Clock.TRANSFER, due, start, amended)
