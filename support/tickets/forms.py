from django import forms
from django.utils.translation import gettext_lazy as _

from master.licensing.models import Module

from .models import TicketCategory, TicketPriority


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"multiple": True, "accept": ".pdf,.png,.jpg,.jpeg,.webp"})
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class TicketOpenForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        widget=forms.TextInput(attrs={"data-suggest-articles": "", "autocomplete": "off"}),
    )
    category = forms.ChoiceField(label=_("Category"), choices=TicketCategory.choices)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=TicketPriority.choices, initial=TicketPriority.NORMAL
    )
    module = forms.ChoiceField(
        label=_("Module concerned"), choices=[("", "—"), *Module.choices], required=False
    )
    body = forms.CharField(
        label=_("Describe the problem"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8})
    )
    files = MultipleFileField(label=_("Attachments"), help_text=_("PDF or images, up to 5 files."))


class TicketReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), max_length=20000, widget=forms.Textarea(attrs={"rows": 5}))
    files = MultipleFileField(label=_("Attachments"))


class SatisfactionForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the help you got?"),
        choices=[(value, str(value)) for value in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TicketFilterForm(forms.Form):
    search = forms.CharField(label=_("Number or subject"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, **kwargs):
        from .models import TicketStatus

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any")), *TicketStatus.choices]
