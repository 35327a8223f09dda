"""The quality section of a lot's page: ``{% quality_lot_section lot %}``: the latest
analysis (grade, pass/fail against the contract's terms), the lot's certificates and its
owner's valid ones. Shown only when the license includes the quality module."""

from django import template

from erp.quality import selectors
from erp.quality.api import AnalysisViewSet
from erp.web.access import can
from erp.web.views.quality import failed_term_labels, licensed

register = template.Library()


@register.inclusion_tag("web/quality/_lot_section.html", takes_context=True)
def quality_lot_section(context, lot):
    request = context.get("request")
    if request is not None and not licensed(request):
        return {"show": False}
    analysis = selectors.lot_latest_analysis(lot)
    user = getattr(request, "user", None)
    return {
        "show": True,
        "lot": lot,
        "request": request,
        "analysis": analysis,
        "failed_terms": failed_term_labels(analysis) if analysis else [],
        "certificates": list(selectors.lot_certificates(lot)),
        "can_analyse": can(user, AnalysisViewSet, "create"),
        "can_reject": bool(analysis and analysis.failing and lot.status != "rejected")
        and can(user, AnalysisViewSet, "reject_lot"),
    }
