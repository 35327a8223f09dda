"""Pages of the quality module: analyses (list, the cut-test form, detail with photos and the
rejection of a failing lot), certificates (list, new, file), a contract's quality terms.
Roles come from the API actions they mirror; rows from the same scoped selectors."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from erp.access import contracts_visible_to, is_company_side, lots_visible_to, partners_visible_to
from erp.contracts.models import Contract
from erp.lots.models import Lot
from erp.lots.selectors import lot_named
from erp.partners.models import Partner
from erp.quality import selectors, services
from erp.quality.api import AnalysisViewSet, CertificateViewSet, ContractTermsView, PhotoFileView
from erp.quality.grades import CUT_TEST_FIELDS
from erp.quality.models import AnalysisPhoto, ContractQualityTerms, QualityAnalysis
from erp.web.access import can, module_licensed, role_required
from erp.web.forms_quality import AnalysisFilterForm, AnalysisForm, CertificateForm, TermsForm
from erp.web.forms_support import call_service, paginate
from triboka.errors import ApplicationError
from triboka.uploads import stored_file_response

LOT_CHOICES = 200  # lots offered when the new-analysis page is opened without one


def licensed(request) -> bool:
    """Whether the company's license includes the quality module (no license: shown)."""
    return module_licensed(request, "quality")


def failed_term_labels(analysis: QualityAnalysis) -> list[str]:
    return [capfirst(ContractQualityTerms._meta.get_field(f).verbose_name) for f in analysis.failed_terms]


def cut_test_rows(analysis: QualityAnalysis) -> list[tuple]:
    """(label, count, shown percentage) per cut-test column."""
    percentages = analysis.percentages
    return [
        (capfirst(QualityAnalysis._meta.get_field(f).verbose_name), getattr(analysis, f), percentages[f])
        for f in CUT_TEST_FIELDS
    ]


@role_required(AnalysisViewSet, "list")
def analysis_list(request):
    form = AnalysisFilterForm(request.GET or None)
    analyses = selectors.analysis_list(user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["lot"]:
            analyses = analyses.filter(lot__code__iexact=data["lot"].strip())
        if data["grade"]:
            analyses = analyses.filter(grade=data["grade"])
        if data["result"]:
            analyses = analyses.filter(passed=data["result"] == "passing")
    context = {
        "form": form,
        "page": paginate(request, analyses),
        "can_create": can(request.user, AnalysisViewSet, "create"),
    }
    return render(request, "web/quality/analysis_list.html", context)


def _lot_from_query(request) -> Lot | None:
    visible = lots_visible_to(request.user, Lot.objects.all())
    if not request.GET.get("lot"):
        return None
    lot = lot_named(visible, request.GET["lot"])
    if lot is None:
        raise Http404
    return lot


@role_required(AnalysisViewSet, "create")
def analysis_create(request):
    lot = _lot_from_query(request)
    if lot is None:
        lots = lots_visible_to(request.user, Lot.objects.in_stock()).only("pk", "code")[:LOT_CHOICES]
        return render(request, "web/quality/analysis_pick_lot.html", {"lots": lots})
    form = AnalysisForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        photo = form.cleaned_data.get("photo")

        @transaction.atomic
        def save():
            analysis = services.analysis_create(lot=lot, user=request.user, **form.service_fields())
            if photo:
                services.analysis_photo_add(analysis=analysis, uploaded_file=photo, user=request.user)
            return analysis

        analysis = call_service(form, save, aliases={"file": "photo"})
        if analysis:
            messages.success(
                request, _("Analysis saved: grade %(grade)s.") % {"grade": analysis.get_grade_display()}
            )
            return redirect("web:quality_analysis_detail", analysis.pk)
    return render(request, "web/quality/analysis_form.html", {"form": form, "lot": lot})


@role_required(AnalysisViewSet, "retrieve")
def analysis_detail(request, pk):
    analysis = get_object_or_404(selectors.analysis_list(user=request.user), pk=pk)
    user = request.user
    context = {
        "analysis": analysis,
        "rows": cut_test_rows(analysis),
        "failed_terms": failed_term_labels(analysis),
        "photos": analysis.photos.all(),
        "can_reject": can(user, AnalysisViewSet, "reject_lot")
        and analysis.failing
        and analysis.lot.status != "rejected",
        "can_add_photo": can(user, AnalysisViewSet, "photos"),
    }
    return render(request, "web/quality/analysis_detail.html", context)


@require_POST
@role_required(AnalysisViewSet, "reject_lot")
def analysis_reject_lot(request, pk):
    analysis = get_object_or_404(selectors.analysis_list(user=request.user), pk=pk)
    try:
        lot = services.analysis_reject_lot(analysis=analysis, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Lot %(code)s rejected.") % {"code": lot.code})
    return redirect("web:quality_analysis_detail", analysis.pk)


@require_POST
@role_required(AnalysisViewSet, "photos")
def analysis_photo_add(request, pk):
    analysis = get_object_or_404(selectors.analysis_list(user=request.user), pk=pk)
    photo = request.FILES.get("photo")
    if photo is None:
        messages.error(request, _("Choose a photo to upload."))
    else:
        try:
            services.analysis_photo_add(analysis=analysis, uploaded_file=photo, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Photo added."))
    return redirect("web:quality_analysis_detail", analysis.pk)


@role_required(PhotoFileView, "get")
def photo_file(request, pk):
    analyses = selectors.analysis_list(user=request.user)
    photo = get_object_or_404(AnalysisPhoto.objects.filter(analysis__in=analyses), pk=pk)
    return stored_file_response(photo.file, name=photo.original_name, content_type=photo.content_type)


@role_required(CertificateViewSet, "list")
def certificate_list(request):
    certificates = selectors.certificate_list(user=request.user)
    if request.GET.get("expired") == "yes":
        certificates = certificates.filter(pk__in=certificates.model.objects.expired())
    context = {
        "page": paginate(request, certificates),
        "can_create": can(request.user, CertificateViewSet, "create"),
        "only_expired": request.GET.get("expired") == "yes",
    }
    return render(request, "web/quality/certificate_list.html", context)


@role_required(CertificateViewSet, "create")
def certificate_create(request):
    company_side = is_company_side(request.user)
    partners = partners_visible_to(request.user, Partner.objects.order_by("name"))
    form = CertificateForm(
        request.POST or None, request.FILES or None, partners=partners, choose_partner=company_side
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        code, upload = data.pop("lot_code", ""), data.pop("file", None)
        data["lot"] = lot_named(lots_visible_to(request.user, Lot.objects.all()), code) if code else None
        if code and data["lot"] is None:
            form.add_error("lot_code", _("No lot of yours has this code."))
        elif call_service(
            form,
            lambda: services.certificate_create(user=request.user, uploaded_file=upload, **data),
            aliases={"lot": "lot_code"},
        ):
            messages.success(request, _("Certificate saved."))
            return redirect("web:quality_certificate_list")
    return render(request, "web/quality/certificate_form.html", {"form": form})


@role_required(CertificateViewSet, "file")
def certificate_file(request, pk):
    certificate = get_object_or_404(selectors.certificate_list(user=request.user), pk=pk)
    if not certificate.file:
        raise Http404
    return stored_file_response(
        certificate.file, name=certificate.original_name, content_type=certificate.content_type
    )


@role_required(ContractTermsView, "put")
def terms_edit(request, contract_pk):
    contract = get_object_or_404(contracts_visible_to(request.user, Contract.objects.all()), pk=contract_pk)
    terms = ContractQualityTerms.objects.filter(contract=contract).first()
    form = TermsForm(request.POST or None, instance=terms)
    if request.method == "POST" and form.is_valid():
        if call_service(form, lambda: services.terms_set(contract=contract, **form.cleaned_data)):
            messages.success(request, _("Quality terms of %(code)s saved.") % {"code": contract.code})
            return redirect("web:contract_detail", contract.pk)
    return render(request, "web/quality/terms_form.html", {"form": form, "contract": contract})


urlpatterns = [
    path("quality/analyses/", analysis_list, name="quality_analysis_list"),
    path("quality/analyses/new/", analysis_create, name="quality_analysis_create"),
    path("quality/analyses/<int:pk>/", analysis_detail, name="quality_analysis_detail"),
    path("quality/analyses/<int:pk>/reject-lot/", analysis_reject_lot, name="quality_analysis_reject_lot"),
    path("quality/analyses/<int:pk>/photos/", analysis_photo_add, name="quality_analysis_photo_add"),
    path("quality/photos/<int:pk>/", photo_file, name="quality_photo_file"),
    path("quality/certificates/", certificate_list, name="quality_certificate_list"),
    path("quality/certificates/new/", certificate_create, name="quality_certificate_create"),
    path("quality/certificates/<int:pk>/file/", certificate_file, name="quality_certificate_file"),
    path("quality/terms/<int:contract_pk>/", terms_edit, name="quality_terms_edit"),
]
