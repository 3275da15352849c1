from django.db.models import Prefetch

from jiceng.core.api import ScopedModelViewSet
from jiceng.organizations.models import Coverage

from ..filters import EnterpriseFilterSet
from ..models import Enterprise
from .serializers import EnterpriseSerializer


class EnterpriseViewSet(ScopedModelViewSet):
    base_queryset = Enterprise.objects.prefetch_related(
        Prefetch("coverages", queryset=Coverage.objects.only("id", "enterprise_id", "organization_id"),
                 to_attr="coverage_list"))
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet
    ordering_fields = ["name", "employees", "lease_end"]
