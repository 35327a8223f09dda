"""Devices authenticate with their own key, never a user's token.

``Authorization: Device <key>`` (or ``X-Device-Key: <key>``). The key is looked up in the
current company's schema only, so a key of company A's device on company B's host finds
nothing and answers 401.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from .models import Device
from .services import device_for_key

KEYWORD = "Device"


class DevicePrincipal:
    """``request.user`` of a request made by a device: authenticated, but no user's role."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_staff = False
    role = None
    pk = id = None

    def __init__(self, device: Device):
        self.device = device

    def __str__(self):
        return f"device {self.device.pk}"


def key_from_request(request) -> str | None:
    header = get_authorization_header(request).split()
    if header and header[0].lower() == KEYWORD.lower().encode():
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as «Authorization: Device <key>»."))
        return header[1].decode("latin-1")
    return request.META.get("HTTP_X_DEVICE_KEY") or None


class DeviceKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        key = key_from_request(request)
        if key is None:
            return None
        device = device_for_key(key)
        if device is None:
            raise exceptions.AuthenticationFailed(_("Unknown or revoked device key, or an inactive device."))
        return DevicePrincipal(device), device

    def authenticate_header(self, request):
        return f'{KEYWORD} realm="api"'


class IsDevice(BasePermission):
    message = _("Readings are sent by a device, with its key (Authorization: Device <key>).")

    def has_permission(self, request, view):
        return isinstance(request.auth, Device)
