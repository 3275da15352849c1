from jiceng.core.forms import ScopedModelForm

from .identity import MEMBER_CLASH, check_id_number
from .models import Member


class MemberForm(ScopedModelForm):
    class Meta:
        model = Member
        fields = ["name", "gender", "ethnicity", "birth_date", "id_number", "phone", "education", "join_date",
                  "full_date", "status", "organization", "employer", "residence", "is_mobile",
                  "households_contacted"]

    def clean_id_number(self):
        value = (self.cleaned_data.get("id_number") or "").strip().upper()
        # Before the model's own uniqueness check, whose message would say so about anyone in the city.
        check_id_number(value, self.user, member_message=MEMBER_CLASH, exclude_member_pk=self.instance.pk,
                        field=None)
        return value
