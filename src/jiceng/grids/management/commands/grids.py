"""jiceng grids boundary STREET FILE | generate STREET [--side M] | import PLACE FILE | list [STREET] — micro-grids
from the command line. A street is named by its name (with --district when two districts share it) or its id."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jiceng.grids import services
from jiceng.grids.models import GRID_PLACE_KINDS, Grid, GridSettings
from jiceng.places.models import Place, PlaceKind


class Command(BaseCommand):
    help = ("微网格:boundary 导入街道边界;generate 按约 1 平方公里生成网格;import 导入 GeoJSON 网格;"
            "list 列出网格及提醒。")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{boundary,generate,import,list}")
        boundary = sub.add_parser("boundary", help="导入街道边界(GeoJSON 多边形,- 表示标准输入)。")
        boundary.add_argument("street")
        boundary.add_argument("file", metavar="FILE")
        generate = sub.add_parser("generate", help="在街道边界上生成约 1 平方公里的网格。")
        generate.add_argument("street")
        generate.add_argument("--side", type=int, help="网格边长(米),默认取规则中的值。")
        imp = sub.add_parser("import", help="导入 GeoJSON 网格(FeatureCollection);任一要素有误则全部不导入。")
        imp.add_argument("place", help="街道、居民区或村")
        imp.add_argument("file", metavar="FILE")
        listing = sub.add_parser("list", help="列出网格、党员数和提醒。")
        listing.add_argument("street", nargs="?")
        for p in (boundary, generate, imp, listing):
            p.add_argument("--district", help="区名称(同名街道时)")

    def handle(self, *args, action: str, **options):
        try:
            return getattr(self, f"_{action.replace('-', '_')}")(**options)
        except ValidationError as exc:
            raise CommandError(" ".join(f"{k}: {'; '.join(v)}" for k, v in exc.message_dict.items())
                               if hasattr(exc, "error_dict") else " ".join(exc.messages)) from exc

    @staticmethod
    def _place(name: str, kinds, district: str | None) -> Place:
        places = Place.objects.filter(kind__in=kinds)
        places = places.filter(pk=int(name)) if name.isdigit() else places.filter(name=name)
        if district:
            places = places.filter(district__name=district)
        found = list(places[:2])
        if not found:
            raise CommandError(f"{name}: 未找到。")
        if len(found) > 1:
            raise CommandError(f"{name}: 有同名地域,请用 --district 或编号指明。")
        return found[0]

    @staticmethod
    def _read(file: str) -> bytes:
        try:
            return sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except FileNotFoundError:
            raise CommandError(f"{file}: 文件不存在。") from None

    def _boundary(self, street: str, file: str, district=None, **_options):
        place = self._place(street, (PlaceKind.STREET,), district)
        services.set_street_boundary(place, self._read(file))
        self.stdout.write(f"{place.name}: boundary saved")

    def _generate(self, street: str, side=None, district=None, **_options):
        place = self._place(street, (PlaceKind.STREET,), district)
        grids = services.generate_cells(place, side_m=side)
        self.stdout.write(f"{place.name}: {len(grids)} grids generated")

    def _import(self, place: str, file: str, district=None, **_options):
        target = self._place(place, GRID_PLACE_KINDS, district)
        grids = services.import_grids(target, self._read(file))
        self.stdout.write(f"{target.name}: {len(grids)} grids imported")

    def _list(self, street: str | None = None, district=None, **_options):
        grids = Grid.objects.select_related("place", "contact").order_by("street", "name", "pk")
        if street:
            grids = grids.filter(street=self._place(street, (PlaceKind.STREET,), district))
        rules = GridSettings.current()
        for grid in grids:
            warnings = "; ".join(grid.warnings(rules))
            self.stdout.write(f"{grid.pk}\t{grid.name}\t{grid.member_count}\t{grid.area_km2} km²\t"
                              f"{grid.contact.name if grid.contact else '-'}\t{warnings}")
