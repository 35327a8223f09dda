"""The grant form on a ticket's page. The staff member is a plain choice, not a model
choice: staff live in the public schema, which a company site's queries do not reach
for users (selectors.staff_member_choices reads them there)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AccessWindow
from .selectors import staff_member_choices


class GrantForm(forms.Form):
    staff = forms.TypedChoiceField(label=_("Triboka staff member"), coerce=int, choices=())
    minutes = forms.TypedChoiceField(
        label=_("For"), coerce=int, choices=AccessWindow.choices, initial=AccessWindow.HOURS_2
    )

    def __init__(self, *args, suggested_staff_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = staff_member_choices()
        if suggested_staff_id:
            self.fields["staff"].initial = suggested_staff_id
