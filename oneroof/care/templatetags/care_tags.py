"""Links to the care inbox where staff find their tools (the staff home page)."""

from django import template
from django.template.loader import render_to_string

from oneroof.care.permissions import is_care_agent, may_publish_notices, may_see_dashboard

register = template.Library()


@register.simple_tag
def care_links(user) -> str:
    return render_to_string(
        "care/_staff_links.html",
        {
            "inbox": is_care_agent(user),
            "dashboard": may_see_dashboard(user),
            "notices": may_publish_notices(user),
        },
    )


@register.filter
def sla_label(value: str) -> str:
    from oneroof.care.choices import SlaState

    try:
        return str(SlaState(value).label)
    except ValueError:
        return ""


@register.filter
def percent(value) -> str:
    """A share (0…1) as a whole percentage, or a dash."""
    if value is None:
        return "—"
    return f"{round(value * 100)}%"


@register.filter
def hours(value) -> str:
    from django.utils.translation import gettext as _

    if value is None:
        return "—"
    if value < 1:
        return _("%(n)s min") % {"n": round(value * 60)}
    return _("%(n)s h") % {"n": value}
