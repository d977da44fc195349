"""Links to the insight screens on the staff home, for those allowed to open them."""

from django import template

from oneroof.accounts.permissions import AnyUser

register = template.Library()


@register.inclusion_tag("insights/_staff_links.html")
def insight_links(user: AnyUser) -> dict:
    from oneroof.insights.views import insight_links as links

    return {"nav": links(user)}
