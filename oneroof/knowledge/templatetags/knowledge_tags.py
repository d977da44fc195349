"""The knowledge base's link on the staff home, for members of staff."""

from django import template

from oneroof.accounts.permissions import AnyUser, is_staff_member
from oneroof.knowledge.selectors import proposals_to_decide

register = template.Library()


@register.inclusion_tag("knowledge/_staff_link.html")
def knowledge_links(user: AnyUser) -> dict:
    staff = is_staff_member(user)
    return {
        "show": staff,
        "pending": proposals_to_decide(user).count() if staff else 0,
    }
