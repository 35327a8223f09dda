from django.db.models import Prefetch, Q, QuerySet

from master.licensing.models import License

from .models import Company, UserDirectoryEntry


def company_list(*, search: str = "", status: str = "", kind: str = "") -> QuerySet[Company]:
    companies = Company.objects.prefetch_related(
        "domains", Prefetch("licenses", queryset=License.objects.order_by("-created_at"))
    )
    if search:
        companies = companies.filter(
            Q(name__icontains=search) | Q(slug__icontains=search) | Q(ruc__startswith=search)
        )
    if status:
        companies = companies.filter(status=status)
    if kind:
        companies = companies.filter(kind=kind)
    return companies.order_by("name")


def directory_list(
    *, search: str = "", company_id: int | None = None, role: str = "", is_active: bool | None = None
) -> QuerySet[UserDirectoryEntry]:
    entries = UserDirectoryEntry.objects.select_related("company")
    if search:
        entries = entries.filter(
            Q(email__icontains=search)
            | Q(full_name__icontains=search)
            | Q(company__name__icontains=search)
            | Q(company__slug__icontains=search)
        )
    if company_id:
        entries = entries.filter(company_id=company_id)
    if role:
        entries = entries.filter(role=role)
    if is_active is not None:
        entries = entries.filter(is_active=is_active)
    return entries.order_by("email", "company__slug")
