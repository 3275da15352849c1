from django.utils.translation import gettext_lazy as _

from jiceng.core.forms import ScopedModelForm
from jiceng.organizations.models import OrgKind

from .identity import MEMBER_CLASH, check_id_number
from .models import Member


class MemberForm(ScopedModelForm):
    class Meta:
        model = Member
        fields = ["name", "gender", "ethnicity", "birth_date", "id_number", "phone", "education", "occupation",
                  "join_date", "full_date", "status", "organization", "party_group", "employer", "residence",
                  "is_mobile", "households_contacted"]
        help_texts = {"organization": _("党支部、联合党支部或临时党支部;党员不能直接隶属于党委或党总支。"),
                      "party_group": _("可选:本支部下的党小组。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Party groups are offered in the group field only; a 党委 or 总支 stays selectable in the organization field
        # so that choosing one is answered by the model's rule (党章第八条) rather than a bare "invalid choice".
        self.fields["organization"].queryset = self.fields["organization"].queryset.exclude(
            kind=OrgKind.PARTY_GROUP).order_by("path")
        self.fields["party_group"].queryset = self.fields["party_group"].queryset.filter(
            kind=OrgKind.PARTY_GROUP).order_by("path")

    def clean_id_number(self):
        value = (self.cleaned_data.get("id_number") or "").strip().upper()
        # Before the model's own uniqueness check, whose message would say so about anyone in the city.
        check_id_number(value, self.user, member_message=MEMBER_CLASH, exclude_member_pk=self.instance.pk,
                        field=None)
        return value
