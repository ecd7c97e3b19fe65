"""``{% may contest "view" as may_view %}``: the page's user and ``access.can``, so a
template shows a link or a button only to those the view would let through."""

from django import template

from hustings.web.contests.access import Action, can

register = template.Library()


@register.simple_tag(takes_context=True)
def may(context, contest, action: str) -> bool:
    request = context.get("request")
    if request is None or contest is None:
        return False
    return can(request.user, contest, Action(action))
