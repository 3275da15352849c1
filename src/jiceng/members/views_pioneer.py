"""The pioneer index pages: the leaderboard of a place or an organization over a period, one member's breakdown,
and the 创新先锋 selection with its Excel export (audited).

Every member comes through `Member.objects.restrict(user)`: out of scope means absent from the list, and a
404 for a member's breakdown or for a place/organization filter.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _t
from django.views import generic

from jiceng.accounts.models import AuditEvent
from jiceng.core import audit
from jiceng.core.excel import xlsx_response
from jiceng.core.views import get_scoped_or_404

from . import pioneer
from .models import Member, PioneerWeight


def sheet_rows(rows: list[pioneer.ScoreRow]) -> tuple[list[str], list[list]]:
    """Headers and rows of an export: rank, name, organization, quantity and points per component, total."""
    headers = [_t("排名"), _t("姓名"), _t("所在党组织")]
    for code in pioneer.COMPONENTS:
        label = str(pioneer.C(code).label)
        headers += [_t("%(label)s(数量)") % {"label": label}, _t("%(label)s(得分)") % {"label": label}]
    headers.append(_t("先锋指数"))
    body = []
    for row in rows:
        line = [row.rank, row.name, row.organization_name]
        for component in row.components:
            line += [component.quantity, component.points]
        body.append([*line, row.total])
    return headers, body


class PioneerView(LoginRequiredMixin, generic.TemplateView):
    template_name = "members/pioneer.html"
    paginate_by = 50

    def get(self, request, *args, **kwargs):
        query = request.GET
        try:
            period = pioneer.parse_period(query.get("period"))
            top, threshold = pioneer.parse_selection(query.get("top"), query.get("threshold"))
            target = pioneer.target_for(request.user, query.get("place"), query.get("organization"))
        except ValidationError as exc:
            return render(request, self.template_name, self.base_context(errors=exc.message_dict), status=400)
        weight = pioneer.weights()
        rows = pioneer.scores(target.members(request.user), period.start, period.end, weight=weight)
        selected = pioneer.innovation_pioneers(rows, top=top, threshold=threshold)
        if query.get("export") == "xlsx":
            audit.record(request, AuditEvent.Action.EXPORT, object_type="members.pioneer",
                         detail=query.urlencode())
            label = f"{target.label} {period.label}"
            return xlsx_response(f"pioneer-{period.key}.xlsx", [
                (_t("创新先锋"), *sheet_rows(selected)),
                (_t("先锋指数排行"), *sheet_rows(rows)),
                (_t("说明"), [_t("项目"), _t("内容")], [
                    [_t("范围与周期"), label],
                    [_t("评选方式"), _t("前 %(n)s 名") % {"n": top} if top else ""],
                    [_t("分数线"), threshold if threshold is not None else ""],
                    *[[str(w), w.unit] for w in PioneerWeight.objects.all()],
                ]),
            ])
        member = None
        if query.get("member"):
            try:
                member_pk = pioneer.parse_pk(query["member"], "member")
            except ValidationError as exc:
                return render(request, self.template_name, self.base_context(errors=exc.message_dict), status=400)
            member = get_scoped_or_404(Member, request.user, pk=member_pk)
        page = Paginator(rows, self.paginate_by).get_page(query.get("page"))
        params = query.copy()
        for key in ("page", "export", "member"):
            params.pop(key, None)
        ctx = self.base_context(
            period=period, target=target, page_obj=page, rows=page.object_list, total=len(rows),
            selected=selected, top=top, threshold=threshold, querystring=params.urlencode(),
            weights=[(code, pioneer.C(code).label, weight[code], pioneer.PIONEER_UNITS[code])
                     for code in pioneer.COMPONENTS],
            breakdown=pioneer.breakdown(member, period.start, period.end, weight=weight) if member else None,
        )
        return self.render_to_response(ctx)

    def base_context(self, *, errors: dict | None = None, **kwargs) -> dict:
        user = self.request.user
        labels = {"period": _t("统计周期"), "top": _t("前 N 名"), "threshold": _t("分数线"), "place": _t("楼宇/街道"),
                  "organization": _t("党组织"), "member": _t("党员")}
        return {
            "errors": [(labels.get(name, name), message) for name, messages in (errors or {}).items()
                       for message in messages],
            "view": self, "components": [(code, pioneer.C(code).label) for code in pioneer.COMPONENTS],
            "periods": pioneer.recent_periods(), "place_choices": pioneer.place_choices(user),
            "organization_choices": pioneer.organization_choices(user), **kwargs,
        }
