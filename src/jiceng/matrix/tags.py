"""The 3×3 matrix of building party work and the 党建+ themes, as tags on activities and projects.

Seed 002 (哔哩哔哩's "3×3" 矩阵工作法): the targets of party work are employees, creators (UP 主; seed 000: the
创客 and 创业者 of the park) and users; its goals are to organize, to serve and to lead. Seed 000 (五角场,
创智天地): 党建+服务 makes a "温暖之家", 党建+文化 a "成长之营", 党建+公益 a "先锋阵地".

The vocabulary is fixed by the method, so it lives here as choices, not as rows an admin edits. An activity or
project may hold several cells and several themes; each set is one small integer column, a bit per cell or theme
(docs/decisions/063): the column is in the change history like any field, a list needs no join to show or
filter it, and the report groups a year's rows by the two columns in one query per table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext_lazy as _


class Target(models.TextChoices):
    """Whom the party work reaches (工作对象)."""

    EMPLOYEES = "employees", _("员工")
    CREATORS = "creators", _("创业者/创造者")
    USERS = "users", _("用户")


class Goal(models.TextChoices):
    """What it does for them (工作目标), in the seed's order of levels."""

    ORGANIZE = "organize", _("组织")
    SERVE = "serve", _("服务")
    LEAD = "lead", _("引领")


class Theme(models.TextChoices):
    """The 党建+ themes (seed 000)."""

    SERVICE = "service", _("党建+服务")
    CULTURE = "culture", _("党建+文化")
    PUBLIC_WELFARE = "public_welfare", _("党建+公益")


CELL_SEPARATOR = ":"


@dataclass(frozen=True)
class Cell:
    target: str
    goal: str

    @property
    def code(self) -> str:
        return f"{self.target}{CELL_SEPARATOR}{self.goal}"

    @property
    def label(self) -> str:
        return f"{Target(self.target).label}·{Goal(self.goal).label}"

    @property
    def bit(self) -> int:
        return 1 << CELLS.index(self)


# Bit i of a row's `cells` is CELLS[i]: targets by rows, goals by columns, as the grid is drawn. Append only: a
# stored bit keeps its meaning.
CELLS: tuple[Cell, ...] = tuple(Cell(t, g) for t in Target.values for g in Goal.values)
CELL_BY_CODE = {cell.code: cell for cell in CELLS}
THEMES: tuple[str, ...] = tuple(Theme.values)
ALL_CELLS = (1 << len(CELLS)) - 1
ALL_THEMES = (1 << len(THEMES)) - 1


def cell_choices() -> list[tuple[str, str]]:
    return [(cell.code, cell.label) for cell in CELLS]


def theme_bit(theme: str) -> int:
    return 1 << THEMES.index(theme)


def cells_mask(codes: Iterable[str]) -> int:
    """The bits of cell codes ("employees:organize"); an unknown code is a ValidationError naming it."""
    mask = 0
    for code in codes:
        cell = CELL_BY_CODE.get(code)
        if cell is None:
            raise ValidationError(_("未知的矩阵格“%(code)s”。"), params={"code": code}, code="unknown_cell")
        mask |= cell.bit
    return mask


def themes_mask(codes: Iterable[str]) -> int:
    mask = 0
    for code in codes:
        if code not in THEMES:
            raise ValidationError(_("未知的党建+主题“%(code)s”。"), params={"code": code}, code="unknown_theme")
        mask |= theme_bit(code)
    return mask


def cell_codes(mask: int | None) -> list[str]:
    return [cell.code for cell in CELLS if (mask or 0) & cell.bit]


def theme_codes(mask: int | None) -> list[str]:
    return [theme for theme in THEMES if (mask or 0) & theme_bit(theme)]


def cell_labels(mask: int | None) -> list[str]:
    return [cell.label for cell in CELLS if (mask or 0) & cell.bit]


def theme_labels(mask: int | None) -> list[str]:
    return [str(Theme(theme).label) for theme in theme_codes(mask)]


def tag_text(obj) -> str:
    """An activity's or project's tags as one line of text (lists and Excel): its cells, then its themes."""
    return "、".join([*cell_labels(obj.cells), *theme_labels(obj.themes)])


def select_mask(target: str | None = None, goal: str | None = None) -> int:
    """The cells a list filter asks for: one cell (target and goal), a row (target), a column (goal)."""
    return sum(cell.bit for cell in CELLS if target in (None, "", cell.target) and goal in (None, "", cell.goal))


def has_any(field: str, mask: int) -> Q:
    """Rows whose `field` holds any of the bits of `mask` (bitwise AND, the same SQL on SQLite and PostgreSQL)."""
    return Q(GreaterThan(F(field).bitand(mask), 0))


# --- the model field ------------------------------------------------------------------------------------------
class FlagsField(models.PositiveSmallIntegerField):
    """A set of codes (cells or themes) stored as their bits. Forms show checkboxes (the cells as a 3×3 grid);
    history and exports show the labels."""

    def __init__(self, *args, kind: str = "cells", **kwargs):
        self.kind = kind
        kwargs.setdefault("default", 0)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("validators", [MaxValueValidator(ALL_CELLS if kind == "cells" else ALL_THEMES)])
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        for key, value in (("default", 0), ("blank", True)):
            if kwargs.get(key) == value:
                kwargs.pop(key)
        kwargs.pop("validators", None)
        return name, path, args, kwargs

    def labels(self, mask: int | None) -> list[str]:
        return cell_labels(mask) if self.kind == "cells" else theme_labels(mask)

    def display(self, mask: int | None) -> str:
        return "、".join(self.labels(mask))

    def formfield(self, **kwargs):
        return FlagsFormField(kind=self.kind, label=self.verbose_name, help_text=self.help_text, required=False)


# --- forms ----------------------------------------------------------------------------------------------------
class MatrixWidget(forms.CheckboxSelectMultiple):
    """The nine cells as a grid: a row per target, a column per goal, a checkbox in each cell."""

    template_name = "matrix/widgets/matrix.html"

    def get_context(self, name, value, attrs):
        if isinstance(value, int):
            value = cell_codes(value)
        ctx = super().get_context(name, value, attrs)
        chosen = set(value or ())
        base_id = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        ctx["widget"]["matrix"] = {
            "goals": [str(label) for label in Goal.labels],
            "rows": [(str(Target(target).label), [
                {"value": f"{target}{CELL_SEPARATOR}{goal}", "id": f"{base_id}_{target}_{goal}",
                 "checked": f"{target}{CELL_SEPARATOR}{goal}" in chosen,
                 "label": f"{Target(target).label}·{Goal(goal).label}"}
                for goal in Goal.values]) for target in Target.values],
        }
        return ctx


class ThemesWidget(forms.CheckboxSelectMultiple):
    template_name = "matrix/widgets/themes.html"


class FlagsFormField(forms.MultipleChoiceField):
    """Checkboxes whose cleaned value is the bit mask the model stores."""

    def __init__(self, *, kind: str = "cells", **kwargs):
        self.kind = kind
        choices = cell_choices() if kind == "cells" else list(Theme.choices)
        kwargs.setdefault("widget", MatrixWidget if kind == "cells" else ThemesWidget)
        super().__init__(choices=choices, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return cell_codes(value) if self.kind == "cells" else theme_codes(value)
        return value

    def clean(self, value):
        codes = super().clean(value)
        return cells_mask(codes) if self.kind == "cells" else themes_mask(codes)

    def has_changed(self, initial, data):
        return self.prepare_value(initial or 0) != list(data or [])


def set_flags(values: Sequence[str], kind: str) -> int:
    return cells_mask(values) if kind == "cells" else themes_mask(values)
