"""Remote access by Triboka support, in the public schema.

A company administrator grants one staff member access to the company's site for a time
window, usually from a ticket. While the grant is active that staff member may open the
site as a support session: a dedicated user of the company's schema (``SupportAgent``),
never an existing user, every request of which is written to the company's audit log.

People are kept as ids plus copies of their e-mail and name, not as foreign keys: staff
live in the public schema and company users in the company's, and a company site's
``search_path`` puts the company's own ``accounts_user`` first, so a join there would read
the wrong table (and Django's deletion collector, deleting a company user, would follow a
key to the user model into public rows that happen to have the same id).
"""

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessWindow(models.IntegerChoices):
    """How long a grant lasts, in minutes."""

    MINUTES_30 = 30, _("30 minutes")
    HOUR_1 = 60, _("1 hour")
    HOURS_2 = 120, _("2 hours")
    HOURS_4 = 240, _("4 hours")
    HOURS_8 = 480, _("8 hours")


class EndReason(models.TextChoices):
    REVOKED = "revoked", _("Ended by the company")
    EXPIRED = "expired", _("Time window over")
    STAFF = "staff", _("Ended by Triboka support")


class GrantQuerySet(models.QuerySet):
    def of_company(self, company):
        return self.filter(company=company)

    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(ended_at__isnull=True, starts_at__lte=now, ends_at__gt=now)

    def due_to_expire(self, now=None):
        """Still open in the table although their window is over."""
        return self.filter(ended_at__isnull=True, ends_at__lte=now or timezone.now())


class RemoteAccessGrant(models.Model):
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.CASCADE,
        related_name="support_grants",
        verbose_name=_("company"),
    )
    ticket = models.ForeignKey(
        "support_tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_grants",
        verbose_name=_("ticket"),
    )
    staff_user_id = models.PositiveBigIntegerField(_("staff member's user id"))
    staff_email = models.EmailField(_("staff member's e-mail"))
    staff_name = models.CharField(_("staff member"), max_length=150)
    granted_by_user_id = models.PositiveBigIntegerField(_("granted by (user id in the company)"))
    granted_by_email = models.EmailField(_("granted by"))
    granted_by_name = models.CharField(_("granted by (name)"), max_length=150, blank=True)
    starts_at = models.DateTimeField(_("starts at"), default=timezone.now)
    ends_at = models.DateTimeField(_("ends at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=8, choices=EndReason.choices, blank=True)
    ended_by_email = models.EmailField(_("ended by"), blank=True)
    # The one start link that may still be used (empty: none); using it empties it.
    start_nonce = models.CharField(max_length=32, blank=True, editable=False)
    sessions_started = models.PositiveIntegerField(_("sessions started"), default=0)
    last_session_at = models.DateTimeField(_("last session started at"), null=True, blank=True)

    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("remote access grant")
        verbose_name_plural = _("remote access grants")
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["company", "-starts_at"], name="grant_company_starts"),
            models.Index(fields=["staff_user_id", "ends_at"], name="grant_staff_ends"),
            models.Index(
                fields=["ends_at"], name="grant_open_ends", condition=models.Q(ended_at__isnull=True)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="grant_window_positive"
            )
        ]

    def __str__(self):
        return f"{self.staff_name} → {self.company_id} ({self.starts_at:%Y-%m-%d %H:%M})"

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.ended_at is None and self.starts_at <= now < self.ends_at

    @property
    def window(self) -> timedelta:
        return self.ends_at - self.starts_at


class SupportAgent(models.Model):
    """The user of a company's schema that a staff member acts as in support sessions.

    Created on the staff member's first session in the company, with an unusable password,
    the ``admin`` role and no access to the company's Django Admin; active only from a
    session's start to its grant's end. This table, not the
    user's e-mail, says which users are agents: the license's user count and the master's
    user directory leave them out, and a company user who happened to have the same e-mail
    would never be taken for one.
    """

    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.CASCADE,
        related_name="support_agents",
        verbose_name=_("company"),
    )
    staff_user_id = models.PositiveBigIntegerField(_("staff member's user id"))
    user_id = models.PositiveBigIntegerField(_("user id in the company"))
    email = models.EmailField(_("e-mail in the company"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("support agent")
        verbose_name_plural = _("support agents")
        constraints = [
            models.UniqueConstraint(fields=["company", "staff_user_id"], name="agent_company_staff"),
            models.UniqueConstraint(fields=["company", "user_id"], name="agent_company_user"),
        ]

    def __str__(self):
        return self.email
