"""A password validator: not the person's own names, not the product's name."""

import re

from django.core.exceptions import ValidationError

PRODUCT_WORDS = ("sendtrust", "send trust")


class NoNameOrProductValidator:
    """Refuse a password that contains the user's username, first or last name, or 'sendtrust'.

    Django's similarity check lets a name through when it is only part of a longer password
    ("Smith2024!"); a guesser tries exactly those first.
    """

    def validate(self, password, user=None):
        lowered = re.sub(r"\s+", " ", password.lower())
        for word in PRODUCT_WORDS:
            if word in lowered or word.replace(" ", "") in lowered.replace(" ", ""):
                raise ValidationError("Your password must not contain the word sendtrust.",
                                      code="password_has_product_name")
        if user is None:
            return
        for attr in ("username", "first_name", "last_name"):
            value = (getattr(user, attr, "") or "").lower()
            for part in re.split(r"[\s._@-]+", value):
                if len(part) >= 3 and part in lowered:
                    raise ValidationError("Your password must not contain your name or username.",
                                          code="password_has_name")

    def get_help_text(self):
        return "Your password must not contain your name, your username or the word sendtrust."
