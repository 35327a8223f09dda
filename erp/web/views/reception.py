"""Pages of the reception module: the list with filters, the reception form (a center's has
its own center fixed; it may start from an IoT scale reading), a reception with its
discounts and formula, its void, and the supplier's receipt (PDF)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from erp.access import lots_visible_to
from erp.reception import selectors, services
from erp.reception.api import ReceptionViewSet, receipt_response
from erp.reception.receipt import formula_text
from erp.web.access import can, role_required
from erp.web.forms_reception import ReceptionFilterForm, ReceptionForm, ReceptionVoidForm
from erp.web.forms_support import call_service, paginate


def _reception(request, pk):
    return get_object_or_404(selectors.reception_list(user=request.user), pk=pk)


@role_required(ReceptionViewSet, "list")
def reception_list(request):
    form = ReceptionFilterForm(request.GET or None, user=request.user)
    receptions = selectors.reception_list(user=request.user)
    if form.is_valid():
        receptions = form.apply(receptions)
    context = {
        "form": form,
        "page": paginate(request, receptions),
        "can_create": can(request.user, ReceptionViewSet, "create"),
    }
    return render(request, "web/reception/list.html", context)


@role_required(ReceptionViewSet, "create")
def reception_create(request):
    form = ReceptionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if value not in (None, "")}
        reception = call_service(form, lambda: services.reception_create(user=request.user, **data))
        if reception:
            messages.success(request, _("Reception %(number)s saved.") % {"number": reception.number})
            return redirect("web:reception_detail", reception.pk)
    context = {"form": form, "standard": services.reception_settings().standard_moisture_percent}
    return render(request, "web/reception/form.html", context, status=400 if form.errors else 200)


@role_required(ReceptionViewSet, "retrieve")
def reception_detail(request, pk):
    reception = _reception(request, pk)
    context = {
        "reception": reception,
        "formula": formula_text(),
        "lot_visible": lots_visible_to(
            request.user, type(reception.lot).objects.filter(pk=reception.lot_id)
        ).exists(),
        "can_void": can(request.user, ReceptionViewSet, "void") and not reception.is_voided,
    }
    return render(request, "web/reception/detail.html", context)


@role_required(ReceptionViewSet, "void")
def reception_void(request, pk):
    reception = _reception(request, pk)
    form = ReceptionVoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form, lambda: services.reception_void(reception=reception, user=request.user, **form.cleaned_data)
        )
        if done:
            messages.success(request, _("Reception %(number)s voided.") % {"number": reception.number})
            return redirect("web:reception_detail", reception.pk)
    status = 400 if form.errors else 200
    return render(request, "web/reception/void.html", {"reception": reception, "form": form}, status=status)


@role_required(ReceptionViewSet, "receipt")
def reception_receipt(request, pk):
    return receipt_response(_reception(request, pk), user=request.user)


urlpatterns = [
    path("receptions/", reception_list, name="reception_list"),
    path("receptions/new/", reception_create, name="reception_create"),
    path("receptions/<int:pk>/", reception_detail, name="reception_detail"),
    path("receptions/<int:pk>/void/", reception_void, name="reception_void"),
    path("receptions/<int:pk>/receipt/", reception_receipt, name="reception_receipt"),
]
