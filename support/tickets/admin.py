"""Staff work tickets in the master panel: the list flags SLA breaches; a ticket's page shows
the whole thread (internal notes too) with a reply form (canned replies, internal note,
status, attachments). Edits and actions go through the services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from triboka.audit.admin import AuditedAdminMixin
from triboka.errors import ApplicationError

from . import selectors, services
from .api import attachment_response
from .forms import MultipleFileField
from .models import CannedReply, SatisfactionResponse, Ticket, TicketAttachment, TicketStatus


class SlaFilter(admin.SimpleListFilter):
    title = gettext_lazy("SLA")
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return [
            ("breached", gettext_lazy("Breached")),
            ("first_response", gettext_lazy("First response late")),
            ("resolution", gettext_lazy("Resolution late")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "breached":
            return queryset.filter(pk__in=Ticket.objects.sla_breached(now).values("pk"))
        if self.value() == "first_response":
            return queryset.filter(pk__in=Ticket.objects.first_response_breached(now).values("pk"))
        if self.value() == "resolution":
            return queryset.filter(pk__in=Ticket.objects.resolution_breached(now).values("pk"))
        return queryset


class StaffReplyForm(forms.Form):
    canned = forms.ModelChoiceField(
        label=gettext_lazy("Canned reply"),
        queryset=CannedReply.objects.filter(is_active=True),
        required=False,
    )
    body = forms.CharField(label=gettext_lazy("Reply"), widget=forms.Textarea(attrs={"rows": 6, "cols": 80}))
    internal = forms.BooleanField(
        label=gettext_lazy("Internal note (the company does not see it)"), required=False
    )
    status = forms.ChoiceField(label=gettext_lazy("Then set the status to"), required=False)
    files = MultipleFileField(label=gettext_lazy("Attachments"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("(as it follows)")), *TicketStatus.choices]


class TicketMergeForm(forms.Form):
    into = forms.CharField(label=gettext_lazy("Merge into ticket number"), max_length=20)


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    change_form_template = "admin/support_tickets/ticket/change_form.html"
    list_display = (
        "number",
        "subject",
        "company",
        "priority",
        "status",
        "assignee",
        "created_at",
        "sla",
        "last_message_at",
    )
    list_filter = ("status", "priority", SlaFilter, "category", "module", "source", "assignee")
    search_fields = (
        "number",
        "subject",
        "requester_email",
        "requester_name",
        "company__name",
        "company__slug",
    )
    list_select_related = ("company", "assignee")
    date_hierarchy = "created_at"
    actions = ("assign_to_me", "mark_resolved")
    fields = (
        "number",
        "company",
        "requester_name",
        "requester_email",
        "subject",
        "category",
        "priority",
        "module",
        "status",
        "assignee",
        "source",
        "created_at",
        "first_response_due",
        "first_response_at",
        "resolution_due",
        "resolved_at",
        "closed_at",
        "reopened_count",
        "merged_into",
    )
    editable = ("subject", "category", "priority", "module", "assignee")
    readonly_fields = tuple(sorted(set(fields) - set(editable), key=fields.index))

    def has_add_permission(self, request):
        return False  # tickets are opened by companies (or through the API for them)

    def has_delete_permission(self, request, obj=None):
        return False  # their history counts in the analytics

    @admin.display(description=gettext_lazy("SLA"))
    def sla(self, ticket):
        late = []
        if ticket.first_response_late():
            late.append(_("first response"))
        if ticket.resolution_late():
            late.append(_("resolution"))
        if not late:
            return "✓"
        return format_html('<strong style="color:#b00">⚠ {}</strong>', ", ".join(late))

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in self.editable}
        try:
            services.ticket_update(ticket=Ticket.objects.get(pk=obj.pk), by_staff=True, **changes)
        except (ValidationError, ApplicationError) as refused:
            messages.error(request, _message_of(refused))

    def get_urls(self):
        own = [
            path(
                "<int:pk>/reply/",
                self.admin_site.admin_view(self.reply_view),
                name="support_tickets_ticket_reply",
            ),
            path(
                "<int:pk>/merge/",
                self.admin_site.admin_view(self.merge_view),
                name="support_tickets_ticket_merge",
            ),
            path(
                "attachments/<int:pk>/",
                self.admin_site.admin_view(self.attachment_view),
                name="support_tickets_attachment",
            ),
        ]
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        ticket = get_object_or_404(Ticket, pk=object_id)
        extra_context = {
            **(extra_context or {}),
            "thread": selectors.ticket_messages(ticket=ticket, staff=True),
            "reply_form": StaffReplyForm(),
            "merge_form": TicketMergeForm(),
            "canned_replies": {
                str(reply.pk): reply.body for reply in CannedReply.objects.filter(is_active=True)
            },
            "ticket": ticket,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def reply_view(self, request, pk):
        ticket = get_object_or_404(Ticket, pk=pk)
        if request.method != "POST" or not self.has_change_permission(request, ticket):
            raise Http404
        form = StaffReplyForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(
                request, "; ".join(str(error) for errors in form.errors.values() for error in errors)
            )
            return redirect(self._change_url(ticket))
        data = form.cleaned_data
        try:
            services.ticket_reply(
                ticket=ticket,
                author=services.Author.staff(request.user),
                body=data["body"],
                internal=data["internal"],
                attachments=data["files"],
            )
            if data["status"]:
                ticket.refresh_from_db()
                if data["status"] != ticket.status:
                    services.ticket_status_set(ticket=ticket, status=data["status"])
        except (ValidationError, ApplicationError) as refused:
            messages.error(request, _message_of(refused))
        else:
            messages.success(
                request, _("Note saved.") if data["internal"] else _("Reply sent to the requester.")
            )
        return redirect(self._change_url(ticket))

    def merge_view(self, request, pk):
        source = get_object_or_404(Ticket, pk=pk)
        if request.method != "POST" or not self.has_change_permission(request, source):
            raise Http404
        form = TicketMergeForm(request.POST)
        target = Ticket.objects.filter(number__iexact=request.POST.get("into", "").strip()).first()
        if not form.is_valid() or target is None:
            messages.error(request, _("There is no ticket with that number."))
            return redirect(self._change_url(source))
        try:
            services.ticket_merge(source=source, target=target)
        except (ValidationError, ApplicationError) as refused:
            messages.error(request, _message_of(refused))
            return redirect(self._change_url(source))
        messages.success(
            request,
            _("%(source)s merged into %(target)s.") % {"source": source.number, "target": target.number},
        )
        return redirect(self._change_url(target))

    def attachment_view(self, request, pk):
        return attachment_response(get_object_or_404(TicketAttachment, pk=pk))

    def _change_url(self, ticket) -> str:
        return reverse("admin:support_tickets_ticket_change", args=[ticket.pk])

    @admin.action(description=gettext_lazy("Assign to me"))
    def assign_to_me(self, request, queryset):
        for ticket in queryset:
            services.ticket_update(ticket=ticket, by_staff=True, assignee=request.user)
        messages.success(request, _("%(count)s tickets assigned to you.") % {"count": queryset.count()})

    @admin.action(description=gettext_lazy("Mark resolved (sends the satisfaction survey)"))
    def mark_resolved(self, request, queryset):
        done = 0
        for ticket in queryset.exclude(status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED]):
            services.ticket_status_set(ticket=ticket, status=TicketStatus.RESOLVED)
            done += 1
        messages.success(request, _("%(count)s tickets resolved.") % {"count": done})


def _message_of(refused) -> str:
    if isinstance(refused, ApplicationError):
        return refused.message
    return " ".join(refused.messages)


@admin.register(CannedReply)
class CannedReplyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "category", "is_active")
    list_filter = ("is_active", "category")
    search_fields = ("title", "body")


@admin.register(SatisfactionResponse)
class SatisfactionResponseAdmin(admin.ModelAdmin):
    list_display = ("ticket", "rating", "answered_at")
    list_filter = ("rating",)
    search_fields = ("ticket__number", "comment")
    list_select_related = ("ticket",)
    readonly_fields = ("ticket", "rating", "comment", "answered_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
