"""The calculator (USD/TM to USD/quintal) and the exporter's demand."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from erp.calculator.api import CalculatorView
from erp.calculator.models import Calculation
from erp.calculator.services import calculation_run
from erp.market import services as market_services
from erp.market.api import DemandViewSet
from erp.market.models import Demand
from erp.market.selectors import demand_list
from erp.web.access import can, role_required
from erp.web.forms import CALCULATOR_ROWS, CalculatorForm, DemandForm
from erp.web.forms_support import call_service, changes_of, paginate


@role_required(CalculatorView, "post")
def calculator(request):
    form = CalculatorForm(request.POST or None, rows=CALCULATOR_ROWS)
    result = None
    if request.method == "POST" and form.is_valid():
        result = call_service(
            form,
            lambda: calculation_run(
                user=request.user, spot=form.cleaned_data["spot"], differentials=form.differentials()
            ),
            aliases={"differentials": "differential_0"},
        )
    history = Calculation.objects.filter(user=request.user).order_by("-created_at", "-id")
    return render(
        request,
        "web/calculator.html",
        {"form": form, "result": result, "page": paginate(request, history, per_page=10)},
        status=400 if form.errors else 200,
    )


@role_required(DemandViewSet, "list")
def demand_list_page(request):
    demand = demand_list(user=request.user).order_by("-month", "-id")
    return render(
        request,
        "web/demand/list.html",
        {"page": paginate(request, demand), "can_edit": can(request.user, DemandViewSet, "create")},
    )


@role_required(DemandViewSet, "create")
def demand_create(request):
    form = DemandForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if call_service(form, lambda: market_services.demand_create(user=request.user, **form.cleaned_data)):
            messages.success(request, _("Demand saved."))
            return redirect("web:demand_list")
    return render(request, "web/demand/form.html", {"form": form})


@role_required(DemandViewSet, "update")
def demand_edit(request, pk):
    demand = get_object_or_404(demand_list(user=request.user), pk=pk)
    form = DemandForm(request.POST or None, instance=demand)
    if request.method == "POST" and form.is_valid():
        changes = changes_of(form)
        fresh = Demand.objects.get(pk=demand.pk)
        if call_service(form, lambda: market_services.demand_update(demand=fresh, **changes)):
            messages.success(request, _("Demand saved."))
            return redirect("web:demand_list")
    return render(request, "web/demand/form.html", {"form": form, "demand": demand})
