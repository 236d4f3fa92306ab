"""The member's notifications: the list behind the bell, and marking them read."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from amity.core import notifications
from amity.core.models import Notification
from amity.core.views._common import membership_of, verified_view

PAGE = 50


@require_GET
@verified_view
def notification_list(request: HttpRequest) -> HttpResponse:
    """List the member's newest notifications in this workspace."""
    member = membership_of(request)
    items = list(notifications.inbox(member)[:PAGE])
    return render(request, "core/notifications.html", {"notifications": items})


@require_POST
@verified_view
def notification_read(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Mark a notification read and open what it is about."""
    member = membership_of(request)
    notification = Notification.objects.filter(
        pk=pk, workspace_id=member.workspace_id, recipient_id=member.user_id
    ).first()
    if notification is None:
        raise Http404
    notifications.mark_read(member, notification)
    if notification.url and notifications.is_local(notification.url):
        return redirect(notification.url)
    return redirect("core:notifications")


@require_POST
@verified_view
def notifications_read_all(request: HttpRequest) -> HttpResponseBase:
    """Mark every notification read."""
    notifications.mark_all_read(membership_of(request))
    return redirect("core:notifications")
