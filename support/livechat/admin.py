"""Live chats in the master admin: the list of every chat, the live page of waiting and active
chats (updated over ``ws/support/staff/``), and a console per chat to answer (over
``ws/support/staff/chats/<id>/``; the form also posts without JavaScript) with "convert to
ticket" and "close" buttons. The buttons call the services; the admin decides nothing."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from support.tickets.services import Author
from triboka.errors import ApplicationError

from . import selectors, services
from .models import Chat, ChatMessage


def _ticket_admin_url(ticket) -> str:
    try:
        return reverse("admin:support_tickets_ticket_change", args=[ticket.pk])
    except NoReverseMatch:  # the ticket admin is not registered
        return ""


class ChatMessageInline(admin.TabularInline):
    model = ChatMessage
    fields = ("created_at", "author_kind", "author_name", "body")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Chat)
class ChatAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "company",
        "status",
        "created_at",
        "first_staff_answer_at",
        "staff_name",
        "ticket",
        "console",
    )
    list_filter = ("status", "created_at")
    search_fields = ("requester_email", "requester_name", "company__name", "ticket__number")
    list_select_related = ("company", "ticket")
    readonly_fields = (
        "company",
        "requester_user_id",
        "requester_email",
        "requester_name",
        "status",
        "created_at",
        "last_message_at",
        "first_staff_answer_at",
        "staff_user_id",
        "staff_name",
        "ended_at",
        "ticket",
    )
    inlines = [ChatMessageInline]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    @admin.display(description=gettext_lazy("console"))
    def console(self, chat):
        url = reverse("admin:support_livechat_chat_console", args=[chat.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open"))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("live/", wrap(self.live_view), name="support_livechat_chat_live"),
            path("<int:pk>/console/", wrap(self.console_view), name="support_livechat_chat_console"),
            path(
                "<int:pk>/convert/",
                wrap(require_POST(self.convert_view)),
                name="support_livechat_chat_convert",
            ),
            path("<int:pk>/close/", wrap(require_POST(self.close_view)), name="support_livechat_chat_close"),
            *super().get_urls(),
        ]

    def _chat(self, request, pk, *, change: bool = False) -> Chat:
        allowed = self.has_change_permission(request) if change else self.has_view_permission(request)
        if not allowed:
            raise PermissionDenied
        try:
            return selectors.chat_get_for_staff(user=request.user, pk=pk)
        except Chat.DoesNotExist:
            raise Http404 from None

    def _page(self, request, template: str, title: str, **context):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            **context,
        }
        return TemplateResponse(request, f"admin/support_livechat/chat/{template}", context)

    def live_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        chats = [
            services.summary_data(chat, preview=chat.preview or "")
            for chat in selectors.chats_open_for_staff()
        ]
        return self._page(request, "live.html", _("Live chats"), chats=chats)

    def console_view(self, request, pk):
        chat = self._chat(request, pk, change=request.method == "POST")
        if request.method == "POST":
            self._call(
                request,
                lambda: services.chat_message_post(
                    chat=chat, author=Author.staff(request.user), body=request.POST.get("body", "")
                ),
            )
            return redirect("admin:support_livechat_chat_console", pk=chat.pk)
        return self._page(
            request,
            "console.html",
            _("Chat with %(name)s") % {"name": chat.requester_name or chat.requester_email},
            chat=chat,
            chat_messages=selectors.chat_messages(chat=chat),
            ticket_url=_ticket_admin_url(chat.ticket) if chat.ticket else "",
        )

    def convert_view(self, request, pk):
        chat = self._chat(request, pk, change=True)
        ticket = self._call(request, lambda: services.chat_convert(chat=chat))
        if ticket is not None:
            messages.success(request, _("The chat became ticket %(number)s.") % {"number": ticket.number})
        return redirect("admin:support_livechat_chat_console", pk=chat.pk)

    def close_view(self, request, pk):
        chat = self._chat(request, pk, change=True)
        if self._call(request, lambda: services.chat_close(chat=chat, author=Author.staff(request.user))):
            messages.success(request, _("The chat was closed."))
        return redirect("admin:support_livechat_chat_console", pk=chat.pk)

    @staticmethod
    def _call(request, service):
        """The service's result, or None with its refusal shown as a message."""
        try:
            return service()
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
        except ApplicationError as refused:
            messages.error(request, refused.message)
        return None
