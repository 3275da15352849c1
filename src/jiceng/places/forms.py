from jiceng.core.forms import ScopedModelForm

from .models import Place


class PlaceForm(ScopedModelForm):
    class Meta:
        model = Place
        fields = ["name", "kind", "parent", "code", "address", "lat", "lng"]
