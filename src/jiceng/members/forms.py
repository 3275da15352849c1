from jiceng.core.forms import ScopedModelForm

from .models import Member


class MemberForm(ScopedModelForm):
    class Meta:
        model = Member
        fields = ["name", "gender", "ethnicity", "birth_date", "id_number", "phone", "education", "join_date",
                  "full_date", "status", "organization", "employer", "residence", "is_mobile",
                  "households_contacted"]

    def clean_id_number(self):
        return (self.cleaned_data.get("id_number") or "").strip().upper()
