from jiceng.core.api import ScopedModelViewSet

from ..filters import PlaceFilterSet
from ..models import Place
from .serializers import PlaceSerializer


class PlaceViewSet(ScopedModelViewSet):
    base_queryset = Place.objects.all()
    serializer_class = PlaceSerializer
    filterset_class = PlaceFilterSet
    ordering_fields = ["name", "path"]
