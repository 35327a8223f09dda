"""The company side's HTTP endpoints of the live chat, under ``/support/chat/`` (the support
license module): starting a chat (or writing in the open one) and reading a chat back after
a reconnection. Live messages go over ``ws/support/chats/<id>/``.

Without JavaScript the widget's form posts here and comes back to the page; with it, the
widget asks for JSON. Someone else's chat, or another company's, is a 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from support.tickets.services import Requester
from support.tickets.views import company_user_required
from triboka.errors import ApplicationError

from . import selectors, services
from .models import Chat


def chat_payload(chat: Chat, after: int = 0) -> dict:
    return {
        "chat": services.status_data(chat),
        "socket": f"/ws/support/chats/{chat.pk}/",
        "messages": [services.message_data(m) for m in selectors.chat_messages(chat=chat, after=after)],
    }


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request):
    target = request.POST.get("next") or request.headers.get("Referer") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


@company_user_required
@require_POST
def chat_start(request):
    try:
        chat = services.chat_start(
            company=request.company, requester=Requester.of(request.user), body=request.POST.get("body", "")
        )
    except ValidationError as refused:
        if _wants_json(request):
            return JsonResponse({"detail": " ".join(refused.messages), **refused.message_dict}, status=400)
        messages.error(request, " ".join(refused.messages))
        return _back(request)
    except ApplicationError as refused:
        if _wants_json(request):
            return JsonResponse({"detail": refused.message, "code": refused.code}, status=refused.status_code)
        messages.error(request, refused.message)
        return _back(request)
    if _wants_json(request):
        return JsonResponse(chat_payload(chat), status=201)
    return _back(request)


@company_user_required
@require_GET
def chat_detail(request, pk: int):
    try:
        chat = selectors.chat_get_for_requester(company=request.company, user=request.user, pk=pk)
    except Chat.DoesNotExist:
        raise Http404 from None
    try:
        after = max(int(request.GET.get("after", 0)), 0)
    except ValueError:
        after = 0
    return JsonResponse(chat_payload(chat, after))
