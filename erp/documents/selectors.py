from django.db.models import QuerySet

from erp.access import documents_visible_to

from .models import Document


def document_list(*, user, include_deleted: bool = False) -> QuerySet[Document]:
    """The documents a user may see, with their contract and uploader (one query)."""
    manager = Document.all_objects if include_deleted else Document.objects
    return documents_visible_to(user, manager.select_related("contract", "uploaded_by"))
