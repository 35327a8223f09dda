"""Writes of the quality module: analyses (grade and contract check computed here, the
grade written to the lot, the analysis on the lot's timeline and ledger), photos, contract
terms, the rejection of a failing lot, certificates."""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.lots.models import Lot, LotEventAction, LotStatus
from erp.lots.services import lot_record_event, lot_update
from triboka.errors import ApplicationError
from triboka.uploads import upload_store

from .grades import CUT_TEST_FIELDS, CutTest, grade_for, grade_meets
from .models import AnalysisPhoto, Certificate, ContractQualityTerms, QualityAnalysis

TERM_FIELDS = (
    "max_moisture_percent",
    "min_well_fermented_percent",
    "max_slaty_percent",
    "max_mouldy_percent",
    "max_defective_percent",
    "max_bean_count_per_100g",
    "minimum_grade",
)
CERTIFICATE_FIELDS = ("lot", "partner", "kind", "number", "issuer", "valid_from", "valid_to")


def cut_test_check(counts: dict, sample_size: int) -> None:
    """The counts must add up to the sample size (ISO 1114: 100 or 300 beans)."""
    total = sum(counts.values())
    if total != sample_size:
        message = _("The counts add up to %(total)s beans; the sample has %(size)s.") % {
            "total": total,
            "size": sample_size,
        }
        raise ValidationError({"sample_size": message, "well_fermented": message})


def terms_failed(terms: ContractQualityTerms, test: CutTest, grade: str) -> list[str]:
    """The contract terms an analysis does not meet, each named with its figures."""
    figures = {
        "min_well_fermented_percent": (test.counts["well_fermented"], test.at_least),
        "max_slaty_percent": (test.counts["slaty"], test.at_most),
        "max_mouldy_percent": (test.counts["mouldy"], test.at_most),
        "max_defective_percent": (test.defective, test.at_most),
    }
    failed = []
    for field, (count, meets) in figures.items():
        limit = getattr(terms, field)
        if limit is not None and not meets(count, limit):
            failed.append(field)
    if terms.max_moisture_percent is not None and test.moisture_percent > terms.max_moisture_percent:
        failed.append("max_moisture_percent")
    limit = terms.max_bean_count_per_100g
    if limit is not None and test.bean_count_per_100g > limit:
        failed.append("max_bean_count_per_100g")
    if terms.minimum_grade and not grade_meets(grade, terms.minimum_grade):
        failed.append("minimum_grade")
    return failed


def _terms_of(lot: Lot) -> ContractQualityTerms | None:
    if not lot.contract_id:
        return None
    return ContractQualityTerms.objects.filter(contract_id=lot.contract_id).first()


@transaction.atomic
def analysis_create(
    *,
    lot: Lot,
    user,
    sample_size: int,
    moisture_percent: Decimal,
    bean_count_per_100g: int,
    analysed_at: datetime | None = None,
    analyst_name: str = "",
    notes: str = "",
    **counts: int,
) -> QualityAnalysis:
    """Record a cut test: grade it, check it against the lot's contract terms, write the
    grade to the lot and the analysis to its timeline (and so to the ledger)."""
    unknown = set(counts) - set(CUT_TEST_FIELDS)
    if unknown:
        raise ValidationError({field: _("Unknown cut-test column.") for field in unknown})
    counts = {field: counts.get(field) or 0 for field in CUT_TEST_FIELDS}
    analysis = QualityAnalysis(
        lot=lot,
        analyst=user,
        analyst_name=analyst_name or getattr(user, "full_name", "") or getattr(user, "email", ""),
        analysed_at=analysed_at or timezone.now(),
        sample_size=sample_size,
        moisture_percent=moisture_percent,
        bean_count_per_100g=bean_count_per_100g,
        notes=notes,
        grade="off_grade",  # computed below, once the fields are valid
        **counts,
    )
    analysis.full_clean()
    cut_test_check(counts, sample_size)
    test = analysis.cut_test
    analysis.grade = grade_for(test, lot.variety)
    terms = _terms_of(lot)
    if terms is not None:
        analysis.failed_terms = terms_failed(terms, test, analysis.grade)
        analysis.passed = not analysis.failed_terms
    analysis.save()
    lot_update(lot=lot, user=user, grade=analysis.grade)
    lot_record_event(lot=lot, user=user, action=LotEventAction.ANALYSED, changes=_event_changes(analysis))
    return analysis


def _event_changes(analysis: QualityAnalysis) -> dict:
    return {
        "analysis": analysis.pk,
        "sample_size": analysis.sample_size,
        "counts": analysis.counts,
        "percentages": {field: str(value) for field, value in analysis.percentages.items()},
        "moisture_percent": str(analysis.moisture_percent),
        "bean_count_per_100g": analysis.bean_count_per_100g,
        "grade": analysis.grade,
        "passed": analysis.passed,
        "failed_terms": analysis.failed_terms,
    }


@transaction.atomic
def analysis_reject_lot(*, analysis: QualityAnalysis, user) -> Lot:
    """Reject the lot of a failing analysis (the "lot rejected" notification goes out)."""
    lot = Lot.objects.select_for_update().get(pk=analysis.lot_id)
    if analysis.passed is not False:
        raise ApplicationError(
            _("Only a lot whose analysis fails its contract's terms can be rejected here."),
            code="analysis_not_failing",
        )
    if lot.status == LotStatus.REJECTED:
        raise ApplicationError(_("This lot is already rejected."), code="lot_already_rejected")
    return lot_update(lot=lot, user=user, status=LotStatus.REJECTED)


def analysis_photo_add(*, analysis: QualityAnalysis, uploaded_file: UploadedFile, user) -> AnalysisPhoto:
    checked, name = upload_store(uploaded_file, folder="quality/photos", field="file", images_only=True)
    try:
        return AnalysisPhoto.objects.create(
            analysis=analysis,
            file=name,
            original_name=checked.name,
            content_type=checked.mime,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=user,
        )
    except Exception:
        default_storage.delete(name)  # no file without its row
        raise


def terms_set(*, contract, **figures) -> ContractQualityTerms:
    """Create or change a contract's quality terms (the figures given; None clears one)."""
    unknown = set(figures) - set(TERM_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in unknown})
    terms = ContractQualityTerms.objects.filter(contract=contract).first() or ContractQualityTerms(
        contract=contract
    )
    for field, value in figures.items():
        setattr(terms, field, "" if field == "minimum_grade" and value is None else value)
    terms.full_clean()
    terms.save()
    return terms


def _certificate_check(certificate: Certificate) -> None:
    if bool(certificate.lot_id) == bool(certificate.partner_id):
        message = _("A certificate is of one lot or of one supplier: give exactly one of the two.")
        raise ValidationError({"lot": message, "partner": message})
    if certificate.valid_from and certificate.valid_to and certificate.valid_to < certificate.valid_from:
        raise ValidationError({"valid_to": _("The end of validity is before its start.")})


def certificate_create(*, user, uploaded_file: UploadedFile | None = None, **fields) -> Certificate:
    certificate = Certificate(created_by=user, **{k: v for k, v in fields.items() if k in CERTIFICATE_FIELDS})
    _certificate_check(certificate)
    certificate.full_clean()
    with transaction.atomic():
        certificate.save()
        if uploaded_file is not None:
            certificate_attach_file(certificate=certificate, uploaded_file=uploaded_file)
    return certificate


def certificate_update(*, certificate: Certificate, **changes) -> Certificate:
    unknown = set(changes) - set(CERTIFICATE_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in unknown})
    for field, value in changes.items():
        setattr(certificate, field, value)
    _certificate_check(certificate)
    certificate.full_clean()
    certificate.save(update_fields=list(changes) or None)
    return certificate


def certificate_attach_file(*, certificate: Certificate, uploaded_file: UploadedFile) -> Certificate:
    """The certificate's scan (PDF or image), checked by content; it replaces any earlier."""
    checked, name = upload_store(
        uploaded_file, folder="quality/certificates", field="file", images_only=False
    )
    previous = certificate.file.name
    certificate.file.name = name
    certificate.original_name, certificate.content_type = checked.name, checked.mime
    certificate.sha256 = checked.sha256
    try:
        certificate.save(update_fields=["file", "original_name", "content_type", "sha256"])
    except Exception:
        default_storage.delete(name)
        raise
    if previous:
        transaction.on_commit(lambda: default_storage.delete(previous))
    return certificate


def certificate_delete(*, certificate: Certificate) -> None:
    name = certificate.file.name
    certificate.delete()
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))
