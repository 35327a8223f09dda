"""The user's notifications page (the bell in the header leads here)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from erp.notifications.models import Channel, Notification, NotificationKind
from erp.notifications.services import notifications_mark_read, preferences_of, preferences_set
from erp.web.forms_support import paginate


@login_required
def notification_list(request):
    notes = Notification.objects.filter(user=request.user).order_by("-id")
    return render(request, "web/notifications.html", {"page": paginate(request, notes)})


@require_POST
@login_required
def notifications_read(request):
    notifications_mark_read(user=request.user)
    return redirect("web:notification_list")


def preference_rows(user) -> list[dict]:
    """One row per kind, one box per channel, as the profile page shows them."""
    chosen = preferences_of(user)
    return [
        {
            "kind": kind,
            "label": kind.label,
            "boxes": [
                {
                    "name": f"{kind.value}:{channel.value}",
                    "label": channel.label,
                    "on": chosen[(kind, channel)],
                }
                for channel in Channel
            ],
        }
        for kind in NotificationKind
    ]


@require_POST
@login_required
def notification_preferences(request):
    """Every box of the form: ticked ones on, the others off."""
    ticked = set(request.POST)
    preferences_set(
        user=request.user,
        choices={(k, c): f"{k}:{c}" in ticked for k in NotificationKind.values for c in Channel.values},
    )
    messages.success(request, _("Your notification choices are saved."))
    return redirect("web:profile")
