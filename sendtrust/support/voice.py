"""The pupil voice questions: a few short questions, each answered by choosing a picture with
a word. Symbols are OpenMoji (CC BY-SA 4.0), see static/support/openmoji/CREDITS."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Choice:
    value: str
    word: str
    symbol: str  # OpenMoji file name, without .svg


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    choices: tuple[Choice, ...]


FEELINGS = (Choice("happy", "Happy", "1F600"), Choice("ok", "OK", "1F610"),
            Choice("sad", "Sad", "1F641"))
THINGS = (Choice("reading", "Reading", "1F4DA"), Choice("writing", "Writing", "270F"),
          Choice("maths", "Maths", "1F522"), Choice("playtime", "Playtime", "26BD"),
          Choice("friends", "Friends", "1F91D"), Choice("art", "Art", "1F3A8"),
          Choice("music", "Music", "1F3B5"))
HELP = (Choice("ask", "Asking for help", "1F64B"), Choice("time", "More time", "23F3"),
        Choice("quiet", "A quiet place", "1F92B"), Choice("listen", "Someone to listen", "1F442"))

QUESTIONS = (
    Question("feel_school", "How do you feel at school?", FEELINGS),
    Question("feel_learning", "How do you feel about your learning?", FEELINGS),
    Question("like_best", "What do you like best?", THINGS),
    Question("hard", "What is hard for you?", THINGS),
    Question("helps", "What helps you most?", HELP),
)
BY_KEY = {q.key: q for q in QUESTIONS}


def check_answers(answers: dict[str, str]) -> dict[str, str]:
    """Keep the answers that name a known question and choice; refuse any other."""
    out = {}
    for key, value in answers.items():
        if not value:
            continue
        q = BY_KEY.get(key)
        if q is None or value not in {c.value for c in q.choices}:
            raise ValidationError({"__all__": f"Unknown answer “{value}” to “{key}”."})
        out[key] = value
    return out


def readable(answers: dict[str, str]) -> list[tuple[str, Choice]]:
    """[(question text, chosen choice)] in question order, for pages and the PDF."""
    out = []
    for q in QUESTIONS:
        value = answers.get(q.key)
        for c in q.choices:
            if c.value == value:
                out.append((q.text, c))
    return out
