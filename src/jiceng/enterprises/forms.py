from jiceng.core.forms import ScopedModelForm
from jiceng.places.models import ENTERPRISE_PLACE_KINDS

from .models import Enterprise


class EnterpriseForm(ScopedModelForm):
    class Meta:
        model = Enterprise
        fields = ["name", "credit_code", "kind", "ownership", "industry", "employees", "place", "unit_no",
                  "lease_end", "registered_address", "actual_address", "contact_name", "contact_phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = self.fields["place"].queryset.filter(kind__in=ENTERPRISE_PLACE_KINDS)

    def clean_credit_code(self):
        return (self.cleaned_data.get("credit_code") or "").strip().upper()
