"""Partners and users of the company (the company admin's pages), and the user's profile."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from erp.access import partners_visible_to
from erp.notifications.services import push_enabled
from erp.partners import services as partner_services
from erp.partners.api import PartnerViewSet, UserViewSet
from erp.partners.logos import logo_response
from erp.partners.models import Partner
from erp.web.access import can, role_required
from erp.web.forms import PartnerForm, ProfileForm, SearchForm, UserChangeForm, UserInviteForm
from erp.web.forms_support import call_service, changes_of, paginate
from erp.web.views.notifications import preference_rows
from triboka.accounts.models import User
from triboka.accounts.services import user_update_profile


@role_required(PartnerViewSet, "list")
def partner_list(request):
    partners = partners_visible_to(request.user, Partner.objects.order_by("name"))
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if query:
        partners = partners.filter(
            Q(name__icontains=query) | Q(tax_id__icontains=query) | Q(canton__icontains=query)
        )
    return render(
        request,
        "web/partners/list.html",
        {
            "page": paginate(request, partners),
            "query": query,
            "can_edit": can(request.user, PartnerViewSet, "create"),
        },
    )


@role_required(PartnerViewSet, "retrieve")
def partner_logo(request, pk):
    """A partner's logo, to those who may see the partner (media are not served publicly)."""
    return logo_response(get_object_or_404(partners_visible_to(request.user, Partner.objects), pk=pk))


@role_required(PartnerViewSet, "create")
def partner_create(request):
    form = PartnerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        partner = call_service(form, lambda: partner_services.partner_create(**form.cleaned_data))
        if partner:
            messages.success(request, _("Partner %(name)s saved.") % {"name": partner.name})
            return redirect("web:partner_list")
    return render(request, "web/partners/form.html", {"form": form})


@role_required(PartnerViewSet, "update")
def partner_edit(request, pk):
    partner = get_object_or_404(Partner.objects, pk=pk)
    form = PartnerForm(request.POST or None, request.FILES or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        changes = changes_of(form)
        fresh = Partner.objects.get(pk=partner.pk)
        if call_service(form, lambda: partner_services.partner_update(partner=fresh, **changes)):
            messages.success(request, _("Partner %(name)s saved.") % {"name": fresh.name})
            return redirect("web:partner_list")
    return render(request, "web/partners/form.html", {"form": form, "partner": partner})


@role_required(UserViewSet, "list")
def user_list(request):
    users = User.objects.select_related("membership__partner").order_by("email")
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if query:
        users = users.filter(Q(email__icontains=query) | Q(full_name__icontains=query))
    return render(request, "web/users/list.html", {"page": paginate(request, users), "query": query})


@role_required(UserViewSet, "create")
def user_invite(request):
    form = UserInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = call_service(
            form,
            lambda: partner_services.user_invite(
                **form.cleaned_data, base_url=request.build_absolute_uri("/").rstrip("/")
            ),
        )
        if user:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": user.email})
            return redirect("web:user_list")
    return render(request, "web/users/form.html", {"form": form})


@role_required(UserViewSet, "update")
def user_edit(request, pk):
    person = get_object_or_404(User.objects.select_related("membership__partner"), pk=pk)
    membership = getattr(person, "membership", None)
    initial = {
        "full_name": person.full_name,
        "role": person.role,
        "partner": membership.partner if membership else None,
        "language": person.language,
        "is_active": person.is_active,
    }
    form = UserChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = changes_of(form)
        if call_service(form, lambda: partner_services.user_change(user=person, **changes)):
            messages.success(request, _("User %(email)s saved.") % {"email": person.email})
            return redirect("web:user_list")
    return render(request, "web/users/form.html", {"form": form, "person": person})


@login_required
def profile(request):
    user = request.user
    form = ProfileForm(request.POST or None, initial={"full_name": user.full_name, "language": user.language})
    if request.method == "POST" and form.is_valid():
        if call_service(form, lambda: user_update_profile(user=user, **form.cleaned_data)) is not None:
            translation.activate(user.language)
            messages.success(request, _("Your profile is saved."))
            return redirect("web:profile")
    return render(
        request,
        "web/profile.html",
        {"form": form, "preferences": preference_rows(user), "push_enabled": push_enabled()},
    )
