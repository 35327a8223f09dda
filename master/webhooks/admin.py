from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from triboka.admin_actions import apply_to_each
from triboka.audit.admin import AuditedAdminMixin

from . import sending, services
from .models import Delivery, Event, Subscription, subscribable_events


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("events"),
        choices=[(value, label) for value, label in Event.choices if value in subscribable_events()],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Subscription
        fields = ["company", *services.EDITABLE_FIELDS]

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        sending.url_check(url)  # refusals shown on the field
        return url

    def clean_company(self):
        company = self.cleaned_data.get("company")
        if company is not None and self.instance.pk is None:
            services.company_subscriptions_limit_check(company)
        return company


def _secret_message(subscription: Subscription) -> str:
    return _("The signing secret of %(url)s is %(secret)s. Copy it now: it will not be shown again.") % {
        "url": subscription.url,
        "secret": subscription.secret,
    }


@admin.register(Subscription)
class SubscriptionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Subscriptions are written through the services (URL checks, secret shown once);
    the secret itself is never on the page after that."""

    form = SubscriptionForm
    list_display = (
        "url",
        "company",
        "event_list",
        "is_active",
        "consecutive_failures",
        "owner_email",
        "created_at",
    )
    list_filter = ("is_active", ("company", admin.EmptyFieldListFilter))
    search_fields = ("url", "description", "owner_email", "company__name", "company__slug")
    list_select_related = ("company",)
    raw_id_fields = ("company",)
    readonly_fields = (
        "is_active",
        "disabled_reason",
        "disabled_at",
        "consecutive_failures",
        "created_by",
        "created_at",
        "updated_at",
    )
    actions = ["ping_selected", "enable_selected", "disable_selected", "rotate_secret_selected"]

    @admin.display(description=_("events"))
    def event_list(self, obj):
        return ", ".join(obj.events)

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "company") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        data = {field: form.cleaned_data[field] for field in services.EDITABLE_FIELDS}
        if change:
            services.subscription_update(subscription=obj, **data)
            return
        created = services.subscription_create(
            company=form.cleaned_data["company"], created_by=request.user.email, **data
        )
        obj.pk = created.pk
        self.message_user(request, _secret_message(created), messages.WARNING)

    def _run(self, request, queryset, service, done_message):
        apply_to_each(self, request, queryset, service, done_message)

    @admin.action(description=_("Send a test ping to the selected subscriptions"))
    def ping_selected(self, request, queryset):
        self._run(
            request,
            queryset,
            lambda subscription: services.subscription_ping(subscription=subscription),
            lambda n: ngettext("%d ping queued.", "%d pings queued.", n),
        )

    @admin.action(description=_("Enable the selected subscriptions"))
    def enable_selected(self, request, queryset):
        self._run(
            request,
            queryset,
            lambda subscription: services.subscription_enable(subscription=subscription),
            lambda n: ngettext("%d subscription enabled.", "%d subscriptions enabled.", n),
        )

    @admin.action(description=_("Disable the selected subscriptions"))
    def disable_selected(self, request, queryset):
        self._run(
            request,
            queryset,
            lambda subscription: services.subscription_disable(subscription=subscription),
            lambda n: ngettext("%d subscription disabled.", "%d subscriptions disabled.", n),
        )

    @admin.action(description=_("Give the selected subscriptions a new secret"))
    def rotate_secret_selected(self, request, queryset):
        for subscription in queryset:
            services.subscription_secret_rotate(subscription=subscription)
            self.message_user(request, _secret_message(subscription), messages.WARNING)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log, read only; a failed delivery can be sent again."""

    list_display = (
        "created_at",
        "event",
        "company_slug",
        "subscription",
        "status",
        "attempts",
        "last_status_code",
        "finished_at",
    )
    list_filter = ("status", "event", ("subscription__company", admin.EmptyFieldListFilter))
    search_fields = ("company_slug", "event_id", "subscription__url", "last_error")
    list_select_related = ("subscription",)
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Delivery._meta.fields]
    actions = ["redeliver_selected"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send the selected failed deliveries again"))
    def redeliver_selected(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset.select_related("subscription"),
            lambda delivery: services.delivery_redeliver(delivery=delivery),
            lambda n: ngettext("%d delivery queued again.", "%d deliveries queued again.", n),
        )
