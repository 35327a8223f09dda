from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "erp.chat"
    label = "chat"
