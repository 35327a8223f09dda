"""The company side's chat endpoints (under /support/chat/, the support license module). The
staff pages are in the master admin (admin.py); the sockets in triboka/asgi.py."""

from django.urls import path

from . import views

public_urlpatterns = []

company_urlpatterns = [
    path("support/chat/", views.chat_start, name="support_chat_start"),
    path("support/chat/<int:pk>/", views.chat_detail, name="support_chat_detail"),
]
