from django import template
from django.forms import BaseForm

register = template.Library()


@register.filter
def error_items(forms):
    """(anchor, message) for every error of the given forms (None entries skipped), in order,
    for the error summary at the top of a page."""
    if isinstance(forms, BaseForm):
        forms = [forms]
    items = []
    for form in forms or []:
        if form is None or not form.is_bound:
            continue
        for message in form.non_field_errors():
            items.append(("", message))
        for field in form:
            for message in field.errors:
                items.append((field.auto_id, message))
    return items


@register.filter
def people_nav_trusts(user):
    """The trusts whose staff user administers, for the navigation."""
    from sendtrust.access.policy.people import trusts_managed_by

    return trusts_managed_by(user)


@register.simple_tag
def people_rights(user, pupil):
    """What user may do about pupil's family and data rights: {"invite": bool, "export": bool}."""
    from sendtrust.access.policy.people import PeopleRight, allows_people

    return {
        "invite": allows_people(user, PeopleRight.INVITE_PARENT, pupil),
        "export": allows_people(user, PeopleRight.SUBJECT_ACCESS, pupil),
    }
