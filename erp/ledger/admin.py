"""The ledger in the company's admin: entries to read (the database refuses changes anyway)
and verification codes, issued through the service."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from triboka.admin_actions import ViewOnlyMixin
from triboka.admin_sites import company_admin_site

from .models import LedgerEntry, VerificationCode
from .services import ledger_verify


@admin.register(LedgerEntry, site=company_admin_site)
class LedgerEntryAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["seq", "at", "kind", "lot_code", "actor", "entry_hash"]
    list_filter = ["kind"]
    search_fields = ["lot_code", "actor", "entry_hash"]
    ordering = ["-seq"]
    actions = ["verify_chain"]

    @admin.action(description=_("Verify the whole chain"))
    def verify_chain(self, request, queryset):
        report = ledger_verify()
        if report.intact:
            self.message_user(request, _("The chain is intact: %(n)s entries.") % {"n": report.entries})
        else:
            self.message_user(request, report.first_break.message, level=messages.ERROR)


@admin.register(VerificationCode, site=company_admin_site)
class VerificationCodeAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "lot", "issued_at", "issued_by"]
    search_fields = ["code", "lot__code"]
    list_select_related = ["lot", "issued_by"]
    raw_id_fields = ["lot"]
