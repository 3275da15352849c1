from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.forms import ScopedModelForm
from jiceng.places.models import Place

from .models import Coverage, Organization


class OrganizationForm(ScopedModelForm):
    class Meta:
        model = Organization
        # The term's end is computed from the election date (term_start) and the kind's term length (decision 040).
        fields = ["name", "kind", "parent", "place", "established", "secretary", "term_start", "end_date",
                  "transfer_authority"]


class CoverageForm(ScopedModelForm):
    class Meta:
        model = Coverage
        fields = ["enterprise", "since"]

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organization = organization


class CoverageReportForm(forms.Form):
    place = forms.ModelChoiceField(queryset=Place.objects.none(), label=_("地域"),
                                   widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from .coverage import REPORT_KINDS

        self.fields["place"].queryset = Place.objects.restrict(user).filter(kind__in=REPORT_KINDS)
