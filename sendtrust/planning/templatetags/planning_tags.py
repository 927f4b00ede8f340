from django import template

from sendtrust.planning import indicators

register = template.Library()


@register.filter
def in_unit(value, unit):
    """An indicator value as people read it; "no data" for a missing one, never 0."""
    return indicators.fmt(value, unit or "")


@register.filter
def display_name(user):
    if user is None:
        return "someone no longer here"
    return user.get_full_name() or user.username
