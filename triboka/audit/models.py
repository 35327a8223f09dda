"""Audit events: who did what, to what, when, from where; append-only.

The table is in the public schema and in every company's schema (the app is in both
SHARED_APPS and TENANT_APPS); triboka/audit/services.py says which event goes where. Rows
are only ever inserted: the model refuses to save an existing row or to delete one, and a
trigger (migration 0002) refuses UPDATE and DELETE in the database itself.
"""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    # Security events of a user, on the site where they happen.
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    LOGOUT = "logout", _("Signed out")
    TOKEN_REFRESH = "token_refresh", _("API token refreshed")
    PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Password link requested")
    PASSWORD_RESET_DONE = "password_reset_done", _("Password set through a link")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    # Changes to users, in the users' schema.
    USER_CREATED = "user_created", _("User created")
    USER_UPDATED = "user_updated", _("User edited")
    ROLE_CHANGED = "role_changed", _("Role changed")
    USER_DEACTIVATED = "user_deactivated", _("User deactivated")
    USER_ACTIVATED = "user_activated", _("User activated")
    USER_DELETED = "user_deleted", _("User deleted")
    # IoT devices and their keys, in the company's schema.
    DEVICE_REGISTERED = "device_registered", _("IoT device registered")
    DEVICE_UPDATED = "device_updated", _("IoT device edited")
    DEVICE_DEACTIVATED = "device_deactivated", _("IoT device deactivated")
    DEVICE_ACTIVATED = "device_activated", _("IoT device activated")
    DEVICE_KEY_ROTATED = "device_key_rotated", _("IoT device key rotated")
    DEVICE_KEY_REVOKED = "device_key_revoked", _("IoT device key revoked")
    # Remote access by Triboka support, in the company's schema.
    SUPPORT_ACCESS_GRANTED = "support_access_granted", _("Support access granted")
    SUPPORT_ACCESS_ENDED = "support_access_ended", _("Support access ended")
    SUPPORT_SESSION_STARTED = "support_session_started", _("Support session started")
    SUPPORT_SESSION_REQUEST = "support_session_request", _("Request in a support session")
    SUPPORT_SESSION_REFUSED = "support_session_refused", _("Request refused in a support session")
    # The platform, in the public schema.
    COMPANY_CREATED = "company_created", _("Company created")
    COMPANY_UPDATED = "company_updated", _("Company edited")
    COMPANY_SUSPENDED = "company_suspended", _("Company suspended")
    COMPANY_REACTIVATED = "company_reactivated", _("Company reactivated")
    COMPANY_DELETED = "company_deleted", _("Company deleted")
    LICENSE_ISSUED = "license_issued", _("License issued")
    LICENSE_UPDATED = "license_updated", _("License edited")
    LICENSE_ASSIGNED = "license_assigned", _("License assigned")
    LICENSE_RENEWED = "license_renewed", _("License renewed")
    LICENSE_EXTENDED = "license_extended", _("License extended")
    LICENSE_SUSPENDED = "license_suspended", _("License suspended")
    LICENSE_REACTIVATED = "license_reactivated", _("License reactivated")
    BACKUP_REQUESTED = "backup_requested", _("Backup requested")
    BACKUP_DONE = "backup_done", _("Backup written")
    BACKUP_FAILED = "backup_failed", _("Backup failed")
    RESTORE = "restore", _("Company restored from a backup")
    PAYMENT_RECORDED = "payment_recorded", _("Payment recorded")
    INVOICE_VOIDED = "invoice_voided", _("Invoice void")
    # Admin edits of models whose services record nothing themselves.
    ADMIN_ADD = "admin_add", _("Added in the admin")
    ADMIN_CHANGE = "admin_change", _("Changed in the admin")
    ADMIN_DELETE = "admin_delete", _("Deleted in the admin")


class ActorKind(models.TextChoices):
    USER = "user", _("User")
    ANONYMOUS = "anonymous", _("Anonymous visitor")
    SYSTEM = "system", _("System (task or command)")


class AuditEventIsAppendOnly(Exception):
    """An audit event cannot be changed or deleted once written."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditEventIsAppendOnly("Audit events cannot be changed.")

    def delete(self):
        raise AuditEventIsAppendOnly("Audit events cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditEventIsAppendOnly("Audit events cannot be changed.")


class AuditEvent(models.Model):
    """One thing that happened. Who did it, and to which company, are copied as text: the
    actor may be master staff acting in a company's schema, and users and companies may be
    deleted while their history stays."""

    at = models.DateTimeField(_("at (UTC)"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    actor_kind = models.CharField(_("actor kind"), max_length=16, choices=ActorKind.choices)
    actor_user_id = models.BigIntegerField(_("actor's user id"), null=True, blank=True)
    actor_email = models.CharField(_("actor"), max_length=254, blank=True)
    actor_schema = models.CharField(
        _("actor's site"),
        max_length=63,
        blank=True,
        help_text=_("Schema the actor signed in on: public for Triboka staff."),
    )
    company_slug = models.CharField(_("company"), max_length=63, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    request_id = models.CharField(_("request id"), max_length=32, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["-at"], name="audit_at"),
            models.Index(fields=["action", "-at"], name="audit_action_at"),
            models.Index(fields=["company_slug", "-at"], name="audit_company_at"),
            models.Index(fields=["actor_email", "-at"], name="audit_actor_at"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr}".strip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditEventIsAppendOnly("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEventIsAppendOnly("Audit events cannot be deleted.")
