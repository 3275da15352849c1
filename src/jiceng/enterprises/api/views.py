from jiceng.core.api import ScopedModelViewSet

from ..filters import EnterpriseFilterSet
from ..models import Enterprise
from .serializers import EnterpriseSerializer


class EnterpriseViewSet(ScopedModelViewSet):
    base_queryset = Enterprise.objects.prefetch_related("coverages")
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet
    ordering_fields = ["name", "employees", "lease_end"]
