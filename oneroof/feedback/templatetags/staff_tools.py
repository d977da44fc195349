"""Links to the history and survey tools on the staff home, for those allowed to use them."""

from django import template

from oneroof.accounts.permissions import AnyUser
from oneroof.feedback.permissions import may_see_complaints
from oneroof.transactions.permissions import may_view_history

register = template.Library()


@register.inclusion_tag("feedback/_staff_tools.html")
def staff_tool_links(user: AnyUser) -> dict:
    return {
        "history": may_view_history(user),
        "complaints": may_see_complaints(user),
    }
