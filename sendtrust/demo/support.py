"""Demo records of the support app, built after the trust's pupils (see demo_trust).

Support plans in every state (current, review due in the next 14 days, overdue, reviewed
with the pupil's and parents' views and a second cycle), plans without outcomes, pupils on
SEN support without a plan, one-page profiles, structured conversations (some this term,
some earlier in the year, one asked for by a family), the demo parent's child with a shared
plan and notes, and the demo external professional with a report waiting for the SENCO.
Deterministic for a seed; bulk inserts, so 8,000 pupils take a few seconds.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

from django.db import transaction
from django.utils import timezone

from sendtrust.organisations.models import ExternalAssignment, Membership, ParentLink, Role
from sendtrust.pupils.models import Provision, Pupil
from sendtrust.support.facts import term_start
from sendtrust.support.models import (
    AgreedAction,
    ChronologyEntry,
    Conversation,
    ExternalReport,
    OnePageProfile,
    Outcome,
    OutcomeProgress,
    ParentViews,
    Review,
    SupportPlan,
    VoiceResponse,
)

BATCH = 2000
# Outcomes by broad area of the pupil's primary need: (outcome, strategy, provision).
OUTCOMES = {
    "Communication and interaction": [
        ("Uses a visual timetable to move between lessons without an adult prompt",
         "Visual timetable on the desk; warn before changes", "Weekly social communication "
                                                               "group, 30 minutes"),
        ("Answers 'who' and 'what' questions about a short story", "Key words pre-taught",
         "Language group 3 x 20 minutes a week"),
        ("Asks an adult for help using a help card", "Help card; adult checks in after input",
         "TA check-in at the start of each lesson"),
    ],
    "Cognition and learning": [
        ("Reads 40 of the first 100 high-frequency words", "Daily phonics; word games at home",
         "Phonics catch-up, 4 x 15 minutes a week"),
        ("Writes three sentences with capital letters and full stops", "Sentence starters; "
         "word mat", "Precision teaching, 10 minutes daily"),
        ("Adds and subtracts within 20 using a number line", "Concrete apparatus in maths",
         "Maths catch-up group twice a week"),
    ],
    "Social, emotional and mental health": [
        ("Uses the calm corner and returns to class within 10 minutes", "Agreed calm plan; "
         "named safe adult", "Daily check-in with a key adult"),
        ("Joins a game at playtime with two friends", "Structured play; buddy system",
         "Lunchtime social group, twice a week"),
        ("Names three feelings and what helps with each", "Emotion cards; zones of regulation",
         "ELSA sessions, weekly for 6 weeks"),
    ],
    "Sensory and/or physical": [
        ("Uses the writing slope and pencil grip in every written lesson", "Equipment ready "
         "on the desk", "Occupational therapy programme delivered by a TA, 3 x weekly"),
        ("Moves around school independently using the agreed route", "Extra time between "
         "lessons; lift pass", "Mobility practice with a TA, weekly"),
    ],
}
ADMIRE = ["Kind to younger children", "A great sense of humour", "Brilliant at drawing",
          "Knows everything about dinosaurs", "Always helps tidy up", "Loves football"]
IMPORTANT = ["Seeing my dog after school", "Knowing what is happening next",
             "Sitting with my friend", "Having time to finish my work", "My grandma"]
SUPPORT = ["Give me instructions one at a time", "Let me move around every 20 minutes",
           "Tell me before something changes", "Check I understand before I start",
           "Let me use my headphones when it is noisy"]
LANGUAGES = ["English"] * 8 + ["Polish", "Urdu", "Romanian", "Somali"]


def _code(rng) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _people(trust):
    """The demo parent with their child, and the demo external professional with a pupil."""
    parents = Membership.objects.current().filter(trust=trust, role=Role.PARENT).values(
        "user_id")
    link = (ParentLink.objects.filter(parent_id__in=parents, pupil__school__trust=trust)
            .select_related("parent", "pupil__school").order_by("pk").first())
    assignment = (ExternalAssignment.objects.current()
                  .filter(pupil__school__trust=trust).select_related("professional", "pupil")
                  .order_by("pk").first())
    return link, assignment


def _sencos(trust) -> dict[int, int]:
    """The first current SENCO of each school: school id -> user id (one query)."""
    out: dict[int, int] = {}
    rows = (Membership.objects.current().filter(trust=trust, role=Role.SENCO)
            .order_by("-pk").values_list("school_id", "user_id"))
    for school_id, user_id in rows:
        out[school_id] = user_id
    return out


def seed(trust, *, seed: int) -> dict:
    """Build this app's demo records for trust; return counts to print."""
    rng = random.Random(f"support-{seed}")
    today = timezone.localdate()
    term = term_start(today)
    link, assignment = _people(trust)
    sencos = _sencos(trust)
    special = {p.pk for p in (link.pupil if link else None,
                              assignment.pupil if assignment else None) if p is not None}
    pupils = list(
        Pupil.objects.filter(school__trust=trust,
                             sen_provision__in=[Provision.SUPPORT, Provision.EHCP])
        .values_list("pk", "school_id", "sen_provision", "primary_need__broad_area",
                     "forename").order_by("pk"))
    plans, outcomes, reviews, progress, profiles = [], [], [], [], []
    conversations, chronology, voices = [], [], []
    for pk, school_id, provision, area, forename in pupils:
        r = rng.random()
        if provision == Provision.SUPPORT and r < 0.12 and pk not in special:
            continue  # on SEN support without a plan: the worklist shows them
        bank = OUTCOMES.get(area or "", OUTCOMES["Cognition and learning"])
        senco = sencos.get(school_id)
        state = rng.choices(["current", "due", "overdue"], [70, 18, 12])[0]
        if pk in special:
            state = "due"
        review_on = {"current": today + dt.timedelta(rng.randint(15, 70)),
                     "due": today + dt.timedelta(rng.randint(1, 14)),
                     "overdue": today - dt.timedelta(rng.randint(1, 40))}[state]
        starts_on = review_on - dt.timedelta(rng.randint(56, 84))
        cycle = 1
        previous = None
        if rng.random() < 0.45 or pk in special:
            # An earlier cycle, reviewed with the pupil's and the parents' views.
            held = starts_on
            first = SupportPlan(
                code=_code(rng), pupil_id=pk, cycle=1, status=SupportPlan.Status.REVIEWED,
                starts_on=held - dt.timedelta(days=70), review_on=held,
                strengths=rng.choice(ADMIRE), created_by_id=senco, version=2)
            plans.append(first)
            first_outcomes = [
                Outcome(code=_code(rng), plan=first, order=i, description=o[0],
                        target_on=held - dt.timedelta(days=7), strategies=o[1], provision=o[2],
                        who="Class teacher and TA")
                for i, o in enumerate(rng.sample(bank, min(len(bank), 2)))]
            outcomes += first_outcomes
            review = Review(code=_code(rng), plan=first,
                            held_on=held - dt.timedelta(days=rng.choice([0, 0, 0, 5])),
                            summary="Good progress on the first outcome.",
                            pupil_views="I like my group. Reading is getting easier."
                            if rng.random() < 0.8 else "",
                            parent_views="Much happier going to school."
                            if rng.random() < 0.7 else "",
                            recorded_by_id=senco)
            reviews.append(review)
            progress += [OutcomeProgress(review=review, outcome=o,
                                         progress=rng.choice(["achieved", "partly", "not_yet"]),
                                         evidence="Observed in class",
                                         carried_forward=i == 1)
                         for i, o in enumerate(first_outcomes)]
            chronology.append(ChronologyEntry(
                code=_code(rng), pupil_id=pk, on=review.held_on, kind="review",
                title="Support plan review (cycle 1)", recorded_by_id=senco))
            cycle, previous = 2, first
            starts_on = held
        plan = SupportPlan(code=_code(rng), pupil_id=pk, cycle=cycle, previous=previous,
                           starts_on=min(starts_on, review_on), review_on=review_on,
                           assessment=f"{forename} has been on the SEN register since last year.",
                           strengths=rng.choice(ADMIRE), created_by_id=senco,
                           who_does_what="Class teacher plans; TA delivers the group; SENCO "
                                         "reviews.")
        plans.append(plan)
        n_outcomes = 0 if rng.random() < 0.03 and pk not in special else rng.randint(1, 3)
        outcomes += [Outcome(code=_code(rng), plan=plan, order=i, description=o[0],
                             target_on=review_on, strategies=o[1], provision=o[2],
                             who="TA")
                     for i, o in enumerate(rng.sample(bank, min(len(bank), n_outcomes)))]
        if state != "overdue" and (rng.random() < 0.5 or pk in special):
            voices.append(VoiceResponse(code=_code(rng), plan=plan,
                                        answers={"feel_school": "happy", "helps": "time"},
                                        with_adult="TA", recorded_by_id=senco))
        if rng.random() < 0.55 or pk in special:
            profiles.append(OnePageProfile(code=_code(rng), pupil_id=pk,
                                           admire=rng.choice(ADMIRE),
                                           important=rng.choice(IMPORTANT),
                                           support=rng.choice(SUPPORT), updated_by_id=senco))
        if provision == Provision.SUPPORT or pk in special:
            talks = rng.choices([0, 1, 2, 3], [25, 35, 25, 15])[0] + (pk in special)
            for t in range(talks):
                # The first this term, the others earlier in the school year.
                on = (term + dt.timedelta(days=rng.randint(0, (today - term).days)) if t == 0
                      else today - dt.timedelta(days=rng.randint(70, 250)))
                lang = rng.choice(LANGUAGES)
                conversations.append(Conversation(
                    code=_code(rng), pupil_id=pk, status=Conversation.Status.HELD, on=on,
                    attendees="Parent, class teacher, SENCO", language=lang,
                    interpreter_needed=lang != "English",
                    explore="Mornings are hard; reading at home is going well.",
                    focus="Getting into school calmly.", plan_notes="A morning check-in.",
                    review_notes="Check at the next meeting.",
                    staff_notes="Staff only: discussed with the pastoral lead.",
                    recorded_by_id=senco))
    with transaction.atomic():
        SupportPlan.objects.bulk_create([p for p in plans if p.cycle == 1 and p.previous is None],
                                        batch_size=BATCH)
        for p in plans:
            if p.previous is not None:
                p.previous_id = p.previous.pk
        SupportPlan.objects.bulk_create([p for p in plans if p.pk is None], batch_size=BATCH)
        for o in outcomes:
            o.plan_id = o.plan.pk
        Outcome.objects.bulk_create(outcomes, batch_size=BATCH)
        for r in reviews:
            r.plan_id = r.plan.pk
        Review.objects.bulk_create(reviews, batch_size=BATCH)
        for p in progress:
            p.review_id, p.outcome_id = p.review.pk, p.outcome.pk
        OutcomeProgress.objects.bulk_create(progress, batch_size=BATCH)
        for v in voices:
            v.plan_id = v.plan.pk
        VoiceResponse.objects.bulk_create(voices, batch_size=BATCH)
        OnePageProfile.objects.bulk_create(profiles, batch_size=BATCH)
        made = Conversation.objects.bulk_create(conversations, batch_size=BATCH)
        AgreedAction.objects.bulk_create([
            AgreedAction(conversation=c, text="Morning check-in with the key adult",
                         owner="Class teacher", due_on=c.on + dt.timedelta(days=14))
            for c in made[::3]], batch_size=BATCH)
        ChronologyEntry.objects.bulk_create(chronology, batch_size=BATCH)
        extra = _family_and_visitor(trust, link, assignment, rng, today)
    return {"support plans": len(plans), "outcomes": len(outcomes), "reviews": len(reviews),
            "conversations": len(conversations) + extra, "profiles": len(profiles),
            "pupil voice responses": len(voices)}


def _family_and_visitor(trust, link, assignment, rng, today) -> int:
    """The demo parent's views and a request for a meeting; the visitor's report."""
    made = 0
    if link is not None:
        plan = SupportPlan.objects.filter(pupil=link.pupil, status="open").first()
        if plan is not None:
            parent_views = ParentViews(code=_code(rng), plan=plan, author=link.parent,
                                       going_well="Reading together every night.",
                                       worries="Homework takes a long time.",
                                       wishes="More help with spelling.")
            parent_views.save()
        Conversation.objects.create(
            code=_code(rng), pupil=link.pupil, status=Conversation.Status.REQUESTED,
            request_note="Can we talk about moving to the next class?", recorded_by=link.parent)
        made += 1
    if assignment is not None:
        ExternalReport.objects.create(
            code=_code(rng), pupil=assignment.pupil, author=assignment.professional,
            author_name=assignment.professional.get_full_name() or
            assignment.professional.username,
            visited_on=today - dt.timedelta(days=3), title="Speech and language assessment",
            findings="Understands more than they can say; word-finding difficulties.",
            recommendations="Give thinking time; pre-teach topic words; use a word mat.")
        ChronologyEntry.objects.create(
            code=_code(rng), pupil=assignment.pupil, on=today - dt.timedelta(days=3),
            kind="report", title="Visit and report: Speech and language assessment",
            recorded_by=assignment.professional)
    return made
