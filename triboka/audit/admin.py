"""Audit events in the admin, read only.

* The master panel (root domain) lists the public schema's events, and one company's
  events at a time on ``company/<subdomain>/``: that page reads the chosen company's schema
  (and only it) with ``schema_context``.
* A company's own admin (its host) lists the events of its schema, for its administrators.

Nobody can add, change or delete an event here (nor anywhere: see models.py).
``AuditedAdminMixin`` is for ModelAdmins of the master panel whose saves do not go through
a service that records its own event.
"""

from datetime import UTC

from django.contrib import admin, messages
from django.contrib.admin import AllValuesFieldListFilter, DateFieldListFilter
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import schema_context

from master.companies.models import Company
from triboka.admin_sites import company_admin_site

from .models import ActorKind, AuditAction, AuditEvent
from .services import audit_record, audit_record_changes

CHANGES_MAX_LENGTH = 300


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    return str(value)


class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at_utc", "action", "actor", "company", "object_repr", "changes", "ip")
    list_filter = (
        "action",
        "actor_kind",
        ("company_slug", AllValuesFieldListFilter),
        ("at", DateFieldListFilter),
    )
    search_fields = ("actor_email", "company_slug", "object_repr", "object_id", "request_id")
    date_hierarchy = "at"
    list_per_page = 50
    show_full_result_count = False  # no second count over a table that only grows
    fields = (
        ("at", "action"),
        ("actor_kind", "actor_email", "actor_user_id", "actor_schema"),
        "company_slug",
        ("object_type", "object_id", "object_repr"),
        "before",
        "after",
        ("ip", "request_id"),
        "user_agent",
    )
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("at (UTC)"), ordering="at")
    def at_utc(self, event):
        return event.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")

    @admin.display(description=_("actor"), ordering="actor_email")
    def actor(self, event):
        if event.actor_kind != ActorKind.USER:
            return event.get_actor_kind_display()
        link = "?" + urlencode({"actor_email": event.actor_email})
        return format_html('<a href="{}">{}</a> ({})', link, event.actor_email, event.actor_schema)

    @admin.display(description=_("company"), ordering="company_slug")
    def company(self, event):
        if not event.company_slug:
            return ""
        return format_html(
            '<a href="?{}">{}</a>', urlencode({"company_slug": event.company_slug}), event.company_slug
        )

    @admin.display(description=_("changes"))
    def changes(self, event):
        names = list(dict.fromkeys([*event.before, *event.after]))
        parts = []
        for name in names:
            if name in event.before and name in event.after:
                parts.append(f"{name}: {_shown(event.before[name])} → {_shown(event.after[name])}")
            else:
                parts.append(f"{name}: {_shown(event.after.get(name, event.before.get(name)))}")
        text = "; ".join(parts)
        return text if len(text) <= CHANGES_MAX_LENGTH else text[: CHANGES_MAX_LENGTH - 1] + "…"

    # --- the master panel's view of one company's events --------------------------------

    def _is_master(self) -> bool:
        return self.admin_site is not company_admin_site  # (admin.site is a lazy wrapper)

    def get_list_display(self, request):
        if self._is_master() and not hasattr(request, "audit_company"):
            return self.list_display
        return [name for name in self.list_display if name != "company"]

    def get_list_filter(self, request):
        if self._is_master() and not hasattr(request, "audit_company"):
            return self.list_filter
        return [
            spec for spec in self.list_filter if not (isinstance(spec, tuple) and spec[0] == "company_slug")
        ]

    def get_list_display_links(self, request, list_display):
        if hasattr(request, "audit_company"):
            return None  # a row's page would show the public event with that id
        return super().get_list_display_links(request, list_display)

    def get_urls(self):
        if not self._is_master():
            return super().get_urls()
        wrap = self.admin_site.admin_view
        return [
            path("company/", wrap(self.company_choose_view), name="audit_auditevent_company_choose"),
            path("company/<slug:slug>/", wrap(self.company_events_view), name="audit_auditevent_company"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        context = {"audit_company_chooser": self._is_master() and not hasattr(request, "audit_company")}
        return super().changelist_view(request, {**context, **(extra_context or {})})

    def company_choose_view(self, request):
        slug = request.GET.get("company", "").strip().lower()
        if Company.objects.filter(slug=slug).exists():
            return redirect("admin:audit_auditevent_company", slug=slug)
        self.message_user(
            request, _("No company with the subdomain %(slug)s.") % {"slug": slug}, messages.ERROR
        )
        return redirect("admin:audit_auditevent_changelist")

    def company_events_view(self, request, slug):
        """The changelist, run and rendered inside the company's schema."""
        if not self.has_view_permission(request):
            raise Http404
        company = get_object_or_404(Company, slug=slug)
        request.user.get_all_permissions()  # read (and cached) in the public schema, where staff live
        request.audit_company = company
        title = _("Audit of %(name)s (%(slug)s)") % {"name": company.name, "slug": company.slug}
        with schema_context(company.schema_name):
            response = self.changelist_view(
                request,
                {
                    "title": title,
                    "audit_company": company,
                    "audit_public_url": reverse("admin:audit_auditevent_changelist"),
                },
            )
            if hasattr(response, "render"):
                response.render()
        return response


admin.site.register(AuditEvent, AuditEventAdmin)
company_admin_site.register(AuditEvent, AuditEventAdmin)


# --- recording what master staff change in other admins ------------------------------------


def _field_value(instance, name: str):
    field = instance._meta.get_field(name)
    if field.many_to_one or field.one_to_one:
        related = getattr(instance, name, None)
        return None if related is None else str(related)
    return field.value_from_object(instance)


def _snapshot(instance) -> dict:
    return {
        field.name: _field_value(instance, field.name)
        for field in instance._meta.concrete_fields
        if not field.primary_key
    }


def _company_of(instance):
    if isinstance(instance, Company):
        return instance
    related = getattr(instance, "company", None) or getattr(instance, "tenant", None)
    return related if isinstance(related, Company) else None


def _model_field_names(instance, names) -> list[str]:
    known = {field.name for field in instance._meta.get_fields() if field.concrete}
    return [name for name in names if name in known]


class AuditedAdminMixin:
    """Records what is added, changed (with the changed fields before and after) and deleted
    through this ModelAdmin, inline rows included. Hooks into the admin's own logging calls,
    so it works whatever ``save_model`` does; ``audit_actions`` names the events."""

    audit_actions = {
        "add": AuditAction.ADMIN_ADD,
        "change": AuditAction.ADMIN_CHANGE,
        "delete": AuditAction.ADMIN_DELETE,
    }

    def save_form(self, request, form, change):
        obj = super().save_form(request, form, change)
        obj._audit_fields = _model_field_names(obj, form.changed_data)
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if change else None
        obj._audit_before = {name: _field_value(stored, name) for name in obj._audit_fields} if stored else {}
        return obj

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        audit_record(
            action=self.audit_actions["add"], target=obj, company=_company_of(obj), after=_snapshot(obj)
        )
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        fields = getattr(obj, "_audit_fields", [])
        audit_record_changes(
            action=self.audit_actions["change"],
            target=obj,
            company=_company_of(obj),
            before=getattr(obj, "_audit_before", {}),
            after={name: _field_value(obj, name) for name in fields},
        )
        return entry

    def log_deletions(self, request, queryset):
        for obj in queryset:
            audit_record(
                action=self.audit_actions["delete"],
                target=obj,
                company=_company_of(obj),
                before=_snapshot(obj),
            )
        return super().log_deletions(request, queryset)

    def save_formset(self, request, form, formset, change):
        """Inline rows: added, changed and deleted, under the parent's company."""
        company = _company_of(form.instance)
        before = {}
        for inline in formset.initial_forms:
            if formset.can_delete and inline.cleaned_data.get("DELETE"):  # recorded while it exists
                obj = inline.instance
                audit_record(
                    action=AuditAction.ADMIN_DELETE, target=obj, company=company, before=_snapshot(obj)
                )
            else:
                before[inline.instance.pk] = {name: inline.initial.get(name) for name in inline.changed_data}
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            audit_record(action=AuditAction.ADMIN_ADD, target=obj, company=company, after=_snapshot(obj))
        for obj, names in formset.changed_objects:
            fields = _model_field_names(obj, names)
            audit_record_changes(
                action=AuditAction.ADMIN_CHANGE,
                target=obj,
                company=company,
                before=before.get(obj.pk, {}),
                after={name: _field_value(obj, name) for name in fields},
            )
