"""Support plans in the browser: a SENCO writes and reviews a plan and logs a structured
conversation, a parent reads the plan and adds views, a pupil answers the voice questions on a
tablet with the keyboard only. axe-core finds no violation on any page; each core task takes
at most three page loads."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TODAY = dt.date.today()


@pytest.fixture(scope="module")
def browser_context_args(browser_context_args):
    # axe-core is injected as an inline script, which the site's CSP rightly refuses.
    return {**browser_context_args, "bypass_csp": True}


def iso(days: int) -> str:
    return (TODAY + dt.timedelta(days=days)).isoformat()


class Loads:
    """Counts the page loads of the main frame (each form submit and link followed)."""

    def __init__(self, page):
        self.n = 0
        page.on("load", self._count)

    def _count(self, _page):
        self.n += 1

    def reset(self):
        self.n = 0


def fits(page, width: int) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


def test_senco_writes_a_plan_with_three_outcomes_and_reviews_it(page, live_server, live_cast,
                                                                  login, axe):
    cast = live_cast
    login("senco_b")
    loads = Loads(page)
    page.goto(f"{live_server.url}/pupils/{cast.pupil_b1.code}/support/new/")
    axe(page)
    page.get_by_label("Review date").fill(iso(42))
    page.get_by_label("Strengths").fill("Loves drawing")
    for n, words in enumerate(["Writes three sentences", "Reads 40 words",
                               "Asks for help with a card"], 1):
        page.get_by_label(f"Outcome {n}: what the pupil will achieve").fill(words)
        page.get_by_label(f"Outcome {n}: target date").fill(iso(40))
    page.get_by_role("button", name="Save the support plan").click()
    expect(page.get_by_text("Support plan saved with 3 outcomes.")).to_be_visible()
    assert loads.n <= 3, loads.n
    outcomes = page.get_by_role("region", name=re.compile("Outcomes of cycle 1"))
    expect(outcomes).to_contain_text("Asks for help with a card")
    axe(page)

    # A refused review: in the future. The summary takes focus and links to the field.
    loads.reset()
    page.get_by_role("link", name="Record the review").click()
    axe(page)
    page.get_by_label("Date of the review").fill(iso(3))
    page.get_by_label("Next review date").fill(iso(50))
    for n in (1, 2, 3):
        page.get_by_role("group", name=f"Outcome {n}: progress").get_by_label(
            "Partly achieved").check()
    page.get_by_label("The pupil's views").fill("I like my reading group")
    page.get_by_role("button", name="Save the review and start the next cycle").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("The review cannot be in the future.")
    expect(summary).to_be_focused()
    axe(page)
    page.get_by_label("Date of the review").fill(iso(0))
    page.get_by_role("button", name="Save the review and start the next cycle").click()
    expect(page.get_by_text(re.compile("Review recorded. Cycle 2 has started"))).to_be_visible()
    axe(page)


def test_senco_logs_a_structured_conversation(page, live_server, live_cast, login, axe):
    cast = live_cast
    login("senco_a")
    loads = Loads(page)
    page.goto(f"{live_server.url}/pupils/{cast.pupil_a1.code}/conversations/new/")
    axe(page)
    page.get_by_label("Yes, it was held").check()
    page.get_by_label("Date", exact=True).fill(iso(0))
    page.get_by_label("Who attended").fill("Mum, class teacher, SENCO")
    page.get_by_label("Language of the meeting").fill("Polish")
    page.get_by_label("An interpreter was needed").check()
    page.get_by_label("Explore", exact=True).fill("Mornings are hard")
    page.get_by_label("Focus", exact=True).fill("Calm start to the day")
    page.get_by_label("Plan", exact=True).fill("Morning check-in with a key adult")
    page.get_by_label("Review", exact=True).fill("At the next meeting")
    page.get_by_label("Agreed action 1", exact=True).fill("Morning check-in")
    page.get_by_label("Agreed action 1: who").fill("Class teacher")
    page.get_by_label("Agreed action 1: by when").fill(iso(14))
    page.get_by_role("button", name="Save the conversation").click()
    expect(page.get_by_text("Conversation saved.")).to_be_visible()
    assert loads.n <= 3, loads.n
    expect(page.get_by_role("region", name="Agreed actions")).to_contain_text("Morning check-in")
    axe(page)


def _plan_for(cast):
    from sendtrust.support import services

    return services.create_plan(
        cast.pupil_a1, starts_on=TODAY - dt.timedelta(days=20),
        review_on=TODAY + dt.timedelta(days=10), strengths="Kind and curious",
        outcomes=[services.OutcomeInput("Reads 40 common words", TODAY + dt.timedelta(days=9),
                                        strategies="Daily phonics")],
        by=cast.users["senco_a"])


def test_parent_reads_the_plan_and_adds_views(page, live_server, live_cast, login, axe):
    cast = live_cast
    plan = _plan_for(cast)
    login("parent_a1")
    page.goto(f"{live_server.url}/family/")
    expect(page.get_by_role("heading", name="Ada Ash")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    axe(page)
    page.get_by_role("link", name="See Ada's plan").click()
    expect(page.get_by_text("Reads 40 common words")).to_be_visible()
    axe(page)
    page.set_viewport_size({"width": 320, "height": 800})
    assert fits(page, 320)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("link", name="Tell us what you think before the meeting").click()
    page.get_by_role("button", name="Send my views").click()
    expect(page.locator(".error-summary")).to_be_focused()
    axe(page)
    page.get_by_label("Is anything worrying you?").fill("Homework takes a long time")
    page.get_by_role("button", name="Send my views").click()
    expect(page.get_by_text("Thank you. The school will read your views")).to_be_visible()
    assert plan.parent_views.get().worries == "Homework takes a long time"


def test_pupil_answers_the_voice_questions_on_a_tablet_with_the_keyboard(page, live_server,
                                                                         live_cast, login, axe):
    cast = live_cast
    plan = _plan_for(cast)
    page.set_viewport_size({"width": 768, "height": 1024})
    login("ta_a")
    page.goto(f"{live_server.url}/support-plans/{plan.code}/voice/")
    expect(page.get_by_role("heading", name="Ada, tell us what you think")).to_be_visible()
    axe(page)
    assert fits(page, 768)
    box = page.locator(".voice-choice label").first.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44  # WCAG 2.2 target size, and then some
    # Keyboard only: Tab into the first question, arrows to choose, Tab to the next.
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "feel_school":
            break
    page.keyboard.press("Space")  # Happy
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowRight")  # How do you feel about your learning? -> OK
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # What do you like best? -> Maths
    for _ in range(3):  # skip "What is hard for you?"; "What helps you most?" -> Asking
        if page.evaluate("document.activeElement.name") == "helps":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("I like Lego club")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "I have finished"
    page.keyboard.press("Enter")
    expect(page.get_by_text("Thank you. Your answers are saved")).to_be_visible()
    answers = plan.voice_responses.get()
    assert answers.answers["feel_school"] == "happy"
    assert answers.answers["like_best"] == "maths"
    assert answers.own_words == "I like Lego club"
