"""Excel import: a small framework shared by every importable model.

An `ImportSpec` lists the template's columns (Chinese header, model field, parser, required). Import
is all-or-nothing: `validate()` checks every row against the same rules as forms and the API (each
column's field validators and choices, then the model's `clean()`), resolves foreign keys from names
or codes within the user's scope, and checks uniqueness within the file and against the database.
Only when no row has an error does `commit()` bulk-insert everything in one transaction.

Written for 100,000-row rosters (about 30 s on the 2-core reference machine; see
benchmarks/import_roster.py): the sheet is streamed (openpyxl read-only), foreign keys come from
dictionaries built with a few queries up front (never one query per row), uniqueness against the
database is checked in bulk, the derived fields that `save()` would set are computed before the
insert, and the insert itself is one prepared statement run with executemany (history included).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import IO, Any, Protocol

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import connection, connections, models, router, transaction
from django.db.models.fields import NOT_PROVIDED, AutoFieldMixin
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .sanitize import single_line, strip_control_chars
from .validators import normalize_cn_mobile, normalize_id_number, normalize_uscc

MAX_ERRORS = 1_000  # errors listed; all are counted
BATCH_SIZE = 2_000
MAX_ROWS = 200_000
MAX_FILE_BYTES = 50 * 1024 * 1024  # a 100,000-row roster is about 10 MB
SOURCE_LANGUAGE = "zh-hans"  # the template's headers and labels are written in Chinese

Label = str | Promise


class ImportFileError(Exception):
    """The file itself cannot be read (not an xlsx, corrupt, empty)."""

    def __init__(self, message: Label) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class RowError:
    row: int  # as numbered in Excel (the header is row 1)
    column: str  # the column header, or "" for the whole row/file
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


# --- parsers: raw cell value (never empty) -> Python value, or ValidationError --------------------


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _integral(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def parse_text(value: Any) -> str:
    """Text; a number typed into a text column (1203 for a room number) is taken as its digits.

    Control characters are normalized as in forms (core/sanitize.py). Text that starts with "=" is kept
    as typed (it was a text cell, not a formula); exports neutralize it (core/excel.py).
    """
    number = _integral(value)
    if number is not None:
        return str(number)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return strip_control_chars(str(value)).strip()


def parse_code(value: Any) -> str:
    """A code typed as text: full-width folded, spaces dropped, upper case (USCC, ID numbers)."""
    if isinstance(value, float) and not value.is_integer():
        raise ValidationError(_("请将该列设置为文本格式后重新填写(数字格式会丢失位数):%(value)s"),
                              params={"value": value})
    if isinstance(value, float) and abs(value) >= 1e15:
        # 18-digit numbers lose their last digits as Excel numbers.
        raise ValidationError(_("请将该列设置为文本格式后重新填写(数字格式会丢失位数):%(value)s"),
                              params={"value": f"{value:.0f}"})
    return normalize_uscc(parse_text(value))


def parse_id_number(value: Any) -> str:
    return normalize_id_number(parse_code(value))


def parse_mobile(value: Any) -> str:
    return normalize_cn_mobile(parse_text(value))


def parse_int(value: Any) -> int:
    number = _integral(value)
    if number is None and isinstance(value, str):
        text = value.strip().replace(",", "")
        if re.fullmatch(r"[+-]?\d+", text):
            number = int(text)
    if number is None:
        raise ValidationError(_("应为整数:%(value)s"), params={"value": value})
    return number


_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def parse_date(value: Any) -> dt.date:
    """A date cell, or text such as 2020-07-01 (also 2020/7/1, 2020年7月1日)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        match = _DATE_RE.fullmatch(value.strip())
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                pass
    raise ValidationError(_("日期格式应为 YYYY-MM-DD(如 2020-07-01)或 Excel 日期单元格:%(value)s"),
                          params={"value": value})


_TRUE = {"是", "y", "yes", "true", "1", "√"}
_FALSE = {"否", "n", "no", "false", "0", "×"}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = parse_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationError(_("应填写“是”或“否”:%(value)s"), params={"value": value})


def source_label(label: Label) -> str:
    """A lazy label as written in the source (Chinese), whatever the active language."""
    with translation.override(SOURCE_LANGUAGE):
        return str(label)


class ChoiceParser:
    """Accepts a choice's code or its label in Chinese or any configured language."""

    def __init__(self, choices: type[models.Choices]) -> None:
        self.choices = choices
        self._mapping: dict[str, str] | None = None

    def options(self) -> list[str]:
        return [source_label(label) for label in self.choices.labels]

    def _map(self) -> dict[str, str]:
        # Built once for every language (looking up the active language per cell is slow).
        if self._mapping is None:
            from django.conf import settings

            mapping: dict[str, str] = {}
            languages = [SOURCE_LANGUAGE, *(code for code, _name in settings.LANGUAGES)]
            for code, label in zip(self.choices.values, self.choices.labels, strict=True):
                texts = {str(code)}
                for language in languages:
                    with translation.override(language):
                        texts.add(str(label))
                for text in texts:
                    mapping.setdefault(text.casefold(), code)
                    # "I 信息传输、软件和信息技术服务业" may also be written without its code.
                    if text.startswith(f"{code} "):
                        mapping.setdefault(text[len(str(code)) + 1:].strip().casefold(), code)
            self._mapping = mapping
        return self._mapping

    def __call__(self, value: Any) -> str:
        code = self._map().get(parse_text(value).casefold())
        if code is None:
            raise ValidationError(_("“%(value)s”不是可选值,可选:%(options)s"),
                                  params={"value": value, "options": "、".join(self.options())})
        return code


# --- foreign keys resolved in bulk ---------------------------------------------------------------


class Resolver(Protocol):
    """Turns a cell's key (a name, a code) into a model instance, with a few queries for the whole file."""

    def collect(self, key: str) -> None: ...

    def prepare(self, user) -> None: ...

    def resolve(self, key: str) -> models.Model: ...


def chunked(values: Sequence, size: int | None = None) -> Iterator[Sequence]:
    """Slices small enough for the database's limit on query parameters."""
    size = size or (900 if connection.features.max_query_params else 10_000)
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


class TreeNameResolver:
    """Objects of a tree (places, organizations) by name within the user's scope.

    A name shared by several objects may be written "上级/名称" (or a longer chain of ancestors).
    Objects outside the scope are simply not found, with the same message as a nonexistent name.
    """

    separator = "/"

    def __init__(self, model: type[models.Model], label: Label,
                 queryset: Callable[[Any], models.QuerySet] | None = None) -> None:
        self.model = model
        self.label = label
        self.queryset = queryset or (lambda user: model.objects.restrict(user))
        self.names: set[str] = set()
        self.by_name: dict[str, list[models.Model]] = defaultdict(list)
        self.ancestor_names: dict[int, str] = {}
        self.cache: dict[str, models.Model | str] = {}  # the object, or why it was not found

    def collect(self, key: str) -> None:
        if key not in self.names:
            self.names.add(key)
            self.names.add(key.rsplit(self.separator, 1)[-1].strip())

    def prepare(self, user) -> None:
        names = sorted(self.names)
        for chunk in chunked(names):
            for obj in self.queryset(user).filter(name__in=chunk).order_by():
                self.by_name[obj.name].append(obj)
        ancestor_ids = {pk for objs in self.by_name.values() for obj in objs for pk in _path_ids(obj.path)}
        for chunk in chunked(sorted(ancestor_ids)):
            self.ancestor_names.update(self.model._default_manager.filter(pk__in=chunk).values_list("pk", "name"))

    def _chain(self, obj: models.Model) -> list[str]:
        """Names of the ancestors, the root first (the object itself excluded)."""
        return [self.ancestor_names.get(pk, "") for pk in _path_ids(obj.path)[:-1]]

    def _qualified(self, obj: models.Model) -> str:
        chain = self._chain(obj)
        return f"{chain[-1]}{self.separator}{obj.name}" if chain else obj.name

    def _lookup(self, key: str) -> models.Model:
        candidates = self.by_name.get(key)
        if not candidates and self.separator in key:
            *ancestors, name = (part.strip() for part in key.split(self.separator))
            candidates = [obj for obj in self.by_name.get(name, [])
                          if self._chain(obj)[-len(ancestors):] == ancestors]
        if not candidates:
            raise ValidationError(_("未找到%(label)s“%(value)s”(或不在您的管辖范围内)。"),
                                  params={"label": self.label, "value": key})
        if len(candidates) > 1:
            examples = "、".join(sorted(self._qualified(obj) for obj in candidates)[:3])
            raise ValidationError(
                _("有 %(count)s 个%(label)s名为“%(value)s”,请写成“上级/名称”,如:%(examples)s"),
                params={"count": len(candidates), "label": self.label, "value": key, "examples": examples},
            )
        return candidates[0]

    def resolve(self, key: str) -> models.Model:
        found = self.cache.get(key)
        if found is None:
            try:
                found = self._lookup(key)
            except ValidationError as exc:
                found = _messages(exc)
            self.cache[key] = found
        if isinstance(found, str):
            raise ValidationError(found)  # a fresh one per row (a re-raised one would grow its traceback)
        return found


class CodeResolver:
    """Objects by a unique code (e.g. an employer by its credit code) within the user's scope."""

    def __init__(self, model: type[models.Model], field_name: str, label: Label) -> None:
        self.model = model
        self.field_name = field_name
        self.label = label
        self.keys: set[str] = set()
        self.by_key: dict[str, models.Model] = {}

    def collect(self, key: str) -> None:
        self.keys.add(key)

    def prepare(self, user) -> None:
        for chunk in chunked(sorted(self.keys)):
            for obj in self.model.objects.restrict(user).filter(**{f"{self.field_name}__in": chunk}).order_by():
                self.by_key[getattr(obj, self.field_name)] = obj

    def resolve(self, key: str) -> models.Model:
        obj = self.by_key.get(key)
        if obj is None:
            raise ValidationError(_("未找到%(label)s为“%(value)s”的记录(或不在您的管辖范围内)。"),
                                  params={"label": self.label, "value": key})
        return obj


# --- the spec ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportColumn:
    """One template column: its header, the model field it fills and how a cell becomes a value."""

    header: Label  # as in the template (Chinese)
    field: str  # the model field it fills
    parse: Callable[[Any], Any] = parse_text
    required: bool = False
    resolver: Callable[[], Resolver] | None = None  # for foreign keys given by name or code
    help: Label = ""  # shown on the template's explanation sheet
    example: Any = ""
    mask: Callable[[Any], str] | None = None  # personal data in the preview
    display: Callable[[Any], str] | None = None  # how the preview shows the value (default: as text)

    @property
    def label(self) -> str:
        return str(self.header)

    def header_aliases(self) -> set[str]:
        return {str(self.header), source_label(self.header)}

    def describe(self) -> str:
        parts = [str(self.help)] if self.help else []
        if isinstance(self.parse, ChoiceParser):
            parts.append(_("可选:%(options)s") % {"options": "、".join(self.parse.options())})
        return ";".join(parts)


@dataclass(frozen=True)
class ImportSpec:
    """What an import of one model reads: its columns in template order, and what save() would add."""

    model: type[models.Model]
    columns: tuple[ImportColumn, ...]
    # Sets what save() would (pinyin keys, denormalized fields) on objects about to be bulk-inserted.
    before_save: Callable[[list[models.Model]], None] | None = None
    max_rows: int = MAX_ROWS
    # The message for a unique value taken by a row outside the importing user's scope: saying "already
    # registered" would tell them about records they may not see (docs/decisions/022-…).
    conflict_elsewhere: Any = _("该%(column)s无法登记:%(value)s。请核对;如确认无误,请联系上级管理部门核实。")

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    @cached_property
    def model_fields(self) -> dict[str, models.Field]:
        return {column.field: self.model._meta.get_field(column.field) for column in self.columns}

    @cached_property
    def unique_columns(self) -> tuple[ImportColumn, ...]:
        return tuple(column for column in self.columns
                     if self.model_fields[column.field].unique and column.resolver is None)

    def column_for_field(self, name: str) -> str:
        for column in self.columns:
            if column.field == name:
                return column.label
        if name == NON_FIELD_ERRORS:
            return ""
        try:
            return str(self.model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            return name


@dataclass
class ImportResult:
    """validate()'s outcome: the unsaved instances if every row is valid, else the errors (and none)."""

    spec: ImportSpec
    user: Any
    instances: list[models.Model] = field(default_factory=list)  # valid, not yet saved
    row_numbers: list[int] = field(default_factory=list)  # each instance's row in the sheet
    errors: list[RowError] = field(default_factory=list)  # the first MAX_ERRORS
    error_count: int = 0
    error_rows: int = 0
    total_rows: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def errors_truncated(self) -> bool:
        return self.error_count > len(self.errors)

    def add_error(self, row: int, column: str, reason: Label) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, column, str(reason)))

    def preview(self, limit: int = 20) -> list[tuple[int, list[str]]]:
        """The first rows as shown to the user (personal data masked), with their row numbers."""
        return [(row, [display_value(self.spec, column, obj) for column in self.spec.columns])
                for row, obj in zip(self.row_numbers[:limit], self.instances[:limit], strict=True)]


def display_value(spec: ImportSpec, column: ImportColumn, obj: models.Model) -> str:
    value = getattr(obj, column.field)
    if value is None or value == "":
        return ""
    if column.mask is not None:
        return column.mask(value)
    if column.display is not None:
        return column.display(value)
    if spec.model_fields[column.field].choices:
        return str(getattr(obj, f"get_{column.field}_display")())
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# --- reading -------------------------------------------------------------------------------------
#
# An upload is untrusted: a 158 KB file can hold a 160 MB cell (text compresses a thousandfold), and a
# parser holds each XML token whole before anyone can look at its length. So nothing is decompressed
# before the archive's declared sizes pass the limits below (zipfile never returns more than a member
# declares, and checks its CRC), and the parts that are parsed are read through a meter that stops the
# file as soon as the XML runs on too long without an element ending. Every refusal thus happens within
# bounded memory and time. See docs/decisions/021-bounded-excel-import.md.

MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell: no spreadsheet program writes more
MAX_COLUMN = 16_384  # Excel's last column (XFD)
MAX_SHEET_ROW = 1_048_576  # Excel's last row
_MB = 1024 * 1024
# Uncompressed sizes. A 200,000-row roster (MAX_ROWS) is ~160 MB of sheet XML as openpyxl writes it and
# ~100 MB of sheet plus ~18 MB of shared strings as Excel and WPS save it.
MAX_SHEET_PART_BYTES = 256 * _MB  # a worksheet, or any part that is not parsed whole
MAX_STRINGS_PART_BYTES = 64 * _MB  # the shared strings (held in memory for the whole import)
MAX_OTHER_PART_BYTES = 16 * _MB  # other XML (workbook, styles, relationships: parsed whole by openpyxl)
MAX_TOTAL_BYTES = 512 * _MB
MAX_PARTS = 10_000
# Worksheets compress 5 to 15 times; repeated text compresses up to ~1,000 times (deflate's limit).
MAX_RATIO = 100
RATIO_FROM_BYTES = 1 * _MB  # small parts (a styles.xml of repeated entries) may compress better
# How far the XML may run without an element ending (one cell's text, even escaped, is under 200 KB), and
# how long one <row> may be.
MAX_TOKEN_BYTES = 1 * _MB
MAX_ROW_BYTES = 1 * _MB  # about 100 times a full row of the templates; parsed, ~7 MB of memory
READ_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Formula:
    """A cell holding a formula. Imports never evaluate formulas nor trust their cached results (which
    can be stale, missing in files not saved by Excel, or anything the file's author wrote): such cells
    are refused with their row and column (see `validate`)."""

    text: str

    def __str__(self) -> str:
        return f"={self.text}"

    def short(self) -> str:
        text = str(self)
        return text if len(text) <= 40 else text[:39] + "…"


class _TooLarge(Exception):
    """Raised by `_Meter` while reading; turned into an ImportFileError naming where it happened."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what  # "token" (a cell's text, a tag or a comment) or "row"


class _Meter:
    """A zip member as the XML parser reads it, stopped when the XML runs on too long.

    The consumer of the parser's events sets `mark` to `position` at every event and `row_mark` at the end
    of every row; before handing the parser another chunk, reading more than MAX_TOKEN_BYTES past the last
    event, or more than `max_row` past the last row, raises _TooLarge. At most that much is ever held.
    """

    __slots__ = ("raw", "position", "mark", "row_mark", "max_row")

    def __init__(self, raw: IO[bytes], max_row: int | None = None) -> None:
        self.raw = raw
        self.position = self.mark = self.row_mark = 0
        self.max_row = max_row

    def read(self, size: int = -1) -> bytes:
        if self.position - self.mark > MAX_TOKEN_BYTES:
            raise _TooLarge("token")
        if self.max_row is not None and self.position - self.row_mark > self.max_row:
            raise _TooLarge("row")
        data = self.raw.read(READ_CHUNK if size is None or size < 0 else min(size, READ_CHUNK))
        self.position += len(data)
        return data


def _unreadable() -> ImportFileError:
    return ImportFileError(_("无法读取该文件,请上传由导入模板填写的 .xlsx 文件。"))


def check_archive(file: str | Path | IO[bytes]) -> None:
    """Refuse a zip bomb before anything is decompressed, from the sizes the archive declares."""
    import zipfile

    try:
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _unreadable() from exc
    finally:
        if hasattr(file, "seek"):
            file.seek(0)
    if len(parts) > MAX_PARTS:
        raise _unreadable()
    total = 0
    for part in parts:
        name = single_line(part.filename)[:100]  # shown to the user; the file's author chose it
        if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # bzip2 and lzma decompress without an output bound per read; Excel and WPS only deflate.
            raise ImportFileError(_("文件使用了不支持的压缩方式,请用 Excel 或 WPS 重新保存为 .xlsx 文件。"))
        if part.filename.endswith("sharedStrings.xml"):
            limit = MAX_STRINGS_PART_BYTES
        elif part.filename.endswith((".xml", ".rels")) and not part.filename.startswith("xl/worksheets/"):
            limit = MAX_OTHER_PART_BYTES
        else:
            limit = MAX_SHEET_PART_BYTES
        if part.file_size > limit:
            raise ImportFileError(_("文件中的“%(part)s”解压后超过 %(size)s MB,请分批导入或删去多余的工作表。")
                                  % {"part": name, "size": limit // _MB})
        if part.file_size > RATIO_FROM_BYTES and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise ImportFileError(_("文件中的“%(part)s”压缩比异常(超过 %(ratio)s 倍),疑似“压缩炸弹”,已拒绝。")
                                  % {"part": name, "ratio": MAX_RATIO})
        total += part.file_size
    if total > MAX_TOTAL_BYTES:
        raise ImportFileError(_("文件解压后超过 %(size)s MB,请分批导入。") % {"size": MAX_TOTAL_BYTES // _MB})


def _cell_too_long(row: int, column: str = "") -> ImportFileError:
    if column:
        return ImportFileError(_("第 %(row)s 行 %(column)s 列的内容超过 %(max)s 个字符(Excel 单元格的上限)。")
                               % {"row": row, "column": column, "max": MAX_CELL_CHARS})
    return ImportFileError(_("第 %(row)s 行有单元格内容超过 %(max)s 个字符(Excel 单元格的上限),请检查文件。")
                           % {"row": row, "max": MAX_CELL_CHARS})


_ESCAPED = re.compile("_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    """Characters XML cannot hold, as Excel writes them: "_x000B_" for a vertical tab, "_x005F_" for "_"
    (ECMA-376 Part 1, 22.9.2.19 ST_Xstring). Control characters so decoded are then normalized like typed
    ones (`parse_text`)."""
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda match: chr(int(match.group(1), 16)), text)


def _inline_text(element, text_tag: str, run_tag: str) -> str:
    """The text of an inline string (<is>): plain <t> or rich-text runs, without phonetic hints."""
    parts = []
    for child in element:
        if child.tag == text_tag:
            parts.append(child.text or "")
        elif child.tag == run_tag:
            run_text = child.find(text_tag)
            if run_text is not None:
                parts.append(run_text.text or "")
    return "".join(parts)


def _read_shared_strings(source: IO[bytes]) -> list[str]:
    """The shared-strings table, as openpyxl's read_string_table reads it, but metered, length-checked and
    with Excel's escapes decoded (openpyxl only drops "x005F_")."""
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    ns = f"{{{SHEET_MAIN_NS}}}"
    item_tag, text_tag, run_tag = ns + "si", ns + "t", ns + "r"
    meter = _Meter(source)
    strings: list[str] = []
    root = None
    try:
        for event, element in iterparse(meter, events=("start", "end")):
            meter.mark = meter.position
            if root is None:
                root = element  # <sst>: emptied as we go, so read items are not kept twice
            elif event == "end" and element.tag == item_tag:
                text = _unescape(_inline_text(element, text_tag, run_tag))
                if len(text) > MAX_CELL_CHARS:
                    raise _TooLarge("token")
                strings.append(text)
                root.clear()
    except _TooLarge:
        raise ImportFileError(_("文件中有超过 %(max)s 个字符的文本(Excel 单元格的上限),请检查文件。")
                              % {"max": MAX_CELL_CHARS}) from None
    return strings


def _open_workbook(file: str | Path | IO[bytes]):
    """openpyxl's read-only workbook, with nothing parsed that is not metered.

    As openpyxl's load_workbook(read_only=True), except that the shared strings are read by
    `_read_shared_strings`, and that worksheets are not scanned for their size when opened (openpyxl
    parses a whole sheet without a <dimension> element to find it; the import does not need it) and
    chart sheets are skipped (openpyxl parses them and their drawings whole).
    """
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.xml.constants import SHARED_STRINGS

    class Sheet(ReadOnlyWorksheet):
        def _get_size(self) -> None:
            pass  # dimensions stay unknown

    class MeteredReader(ExcelReader):
        def read_strings(self) -> None:
            part = self.package.find(SHARED_STRINGS)
            if part is not None:
                with self.archive.open(part.PartName[1:]) as source:
                    self.shared_strings = _read_shared_strings(source)

        def read_worksheets(self) -> None:
            for sheet, rel in self.parser.find_sheets():
                if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                    worksheet = Sheet(self.wb, sheet.name, rel.target, self.shared_strings)
                    worksheet.sheet_state = sheet.state
                    self.wb._sheets.append(worksheet)

    # data_only=False: formulas stay formulas (data_only would give their cached results, or None).
    reader = MeteredReader(file, read_only=True, data_only=False)
    reader.read()
    return reader.wb


def _fast_rows(workbook, sheet) -> Iterator[tuple[Any, ...]] | None:
    """The sheet's cell values, decoded as openpyxl's read-only parser does, formulas as `Formula`.

    openpyxl opens the file and supplies the shared strings and date formats; only the loop over
    <row>/<c> elements is done here, because openpyxl's per-cell machinery (a dict per cell, and its
    generic object model for inline strings, which files written by openpyxl use for all text) costs
    two to three times the rest of a 100,000-row import, and because the sheet must be metered. Returns
    None if openpyxl's internals are not as expected; the caller then uses the public iter_rows().
    """
    try:
        from openpyxl.utils.cell import column_index_from_string, get_column_letter
        from openpyxl.utils.datetime import from_excel, from_ISO8601
        from openpyxl.worksheet._reader import _cast_number
        from openpyxl.xml.constants import SHEET_MAIN_NS
        from openpyxl.xml.functions import iterparse

        shared_strings = sheet._shared_strings
        date_formats, timedelta_formats = workbook._date_formats, workbook._timedelta_formats
        epoch = workbook.epoch
        source = sheet._get_source()
    except (ImportError, AttributeError):
        return None
    ns = f"{{{SHEET_MAIN_NS}}}"
    row_tag, cell_tag, value_tag, inline_tag, text_tag, run_tag, formula_tag, data_tag = (
        ns + t for t in ("row", "c", "v", "is", "t", "r", "f", "sheetData"))
    columns: dict[str, int] = {}

    def column_index(reference: str) -> int:
        letters = reference.rstrip("0123456789")
        index = columns.get(letters)
        if index is None:
            index = columns[letters] = column_index_from_string(letters)
        return index

    def decode(cell) -> Any:
        if len(cell) and cell[0].tag == formula_tag:  # <f> comes first in a cell (ECMA-376 CT_Cell)
            return Formula(cell[0].text or "")
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            child = cell.find(inline_tag)
            return _unescape(_inline_text(child, text_tag, run_tag)) if child is not None else None
        value = cell.findtext(value_tag) or None
        if value is None:
            return None
        if kind == "n":
            number = _cast_number(value)
            style = cell.get("s")
            if style and int(style) in date_formats:
                try:
                    return from_excel(number, epoch, timedelta=int(style) in timedelta_formats)
                except (OverflowError, ValueError):
                    return "#VALUE!"
            return number
        if kind == "s":
            return shared_strings[int(value)]
        if kind == "b":
            return bool(int(value))
        if kind == "d":
            return from_ISO8601(value)
        return value  # "str" (a formula's text), "e" (an error such as #N/A)

    def rows() -> Iterator[tuple[Any, ...]]:
        meter = _Meter(source, max_row=MAX_ROW_BYTES)
        expected = 1
        seen = 0
        try:
            with source:
                for _event, element in iterparse(meter):
                    meter.mark = meter.position
                    tag = element.tag
                    if tag != row_tag:
                        if tag == data_tag:
                            return  # what follows the data (merged cells, validations…) is not needed
                        continue
                    meter.row_mark = meter.position
                    number = element.get("r")
                    number = int(number) if number else expected
                    seen += 1
                    if number > MAX_SHEET_ROW or seen > MAX_SHEET_ROW:
                        raise ImportFileError(_("文件超过 %(max)s 行(Excel 的上限)。") % {"max": MAX_SHEET_ROW})
                    while expected < number:  # rows missing from the file are empty
                        expected += 1
                        yield ()
                    values: list[Any] = []
                    position = 0
                    for cell in element.iter(cell_tag):
                        reference = cell.get("r")
                        position = column_index(reference) if reference else position + 1
                        if position > MAX_COLUMN:
                            raise ImportFileError(_("第 %(row)s 行超过 %(max)s 列(Excel 的上限)。")
                                                  % {"row": number, "max": MAX_COLUMN})
                        value = decode(cell)
                        if value is not None:
                            if value.__class__ is str and len(value) > MAX_CELL_CHARS:
                                raise _cell_too_long(number, get_column_letter(position))
                            if len(values) < position:
                                values.extend([None] * (position - len(values)))
                            values[position - 1] = value
                    element.clear()
                    expected = number + 1
                    yield tuple(values)
        except _TooLarge as exc:
            if exc.what == "row":
                raise ImportFileError(_("第 %(row)s 行的数据异常庞大(超过 %(size)s MB),请检查文件。")
                                      % {"row": expected, "size": MAX_ROW_BYTES // _MB}) from None
            raise _cell_too_long(expected) from None

    return rows()


def _public_rows(sheet) -> Iterator[tuple[Any, ...]]:
    """openpyxl's own iter_rows(), formulas as `Formula` (only if its internals changed; not metered)."""
    for row in sheet.iter_rows():
        yield tuple(Formula(str(cell.value)[1:]) if cell.data_type == "f" else cell.value for cell in row)


def read_rows(file: str | Path | IO[bytes]) -> Iterator[tuple[Any, ...]]:
    """The first sheet's rows as tuples of cell values (header first), streamed within bounded memory."""
    if hasattr(file, "seek"):
        file.seek(0)
    check_archive(file)
    try:
        workbook = _open_workbook(file)
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a non-xlsx or corrupt file
        raise _unreadable() from exc
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("文件中没有工作表。"))
        sheet = workbook.worksheets[0]
        rows = _fast_rows(workbook, sheet) or _public_rows(sheet)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except ImportFileError:
                raise
            except Exception as exc:
                raise ImportFileError(_("文件内容已损坏,无法读取。")) from exc
            yield row
    finally:
        workbook.close()


# --- validation ----------------------------------------------------------------------------------


def _messages(exc: ValidationError) -> str:
    return ";".join(exc.messages)


def _match_header(spec: ImportSpec, header: Sequence[Any], result: ImportResult) -> list[tuple[ImportColumn, int]]:
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        text = "" if cell is None else str(cell).strip().rstrip("*").strip()
        if text:
            positions.setdefault(text, index)
    matched = []
    for column in spec.columns:
        index = next((positions[alias] for alias in column.header_aliases() if alias in positions), None)
        if index is None:
            result.add_error(1, column.label, _("缺少列“%(column)s”,请使用导入模板的表头。") % {"column": column.label})
        else:
            matched.append((column, index))
    return matched


def _instance_factory(model: type[models.Model]) -> Callable[[], models.Model]:
    """New unsaved instances with their defaults; copies of one prototype when that is equivalent.

    Model.__init__ costs ~17 µs (a second and a half per 100,000 rows); copying a fresh instance's
    attributes is the same thing when no default is computed per instance (a callable default such
    as uuid4 or now would be shared), so only then.
    """
    if any(f.has_default() and callable(f.default) for f in model._meta.concrete_fields):
        return model
    prototype = model()
    state_class = type(prototype._state)

    def new() -> models.Model:
        instance = model.__new__(model)
        instance.__dict__ = prototype.__dict__.copy()
        instance._state = state_class()
        return instance

    return new


def validate(spec: ImportSpec, rows: Iterable[Sequence[Any]], user) -> ImportResult:
    """Check every row; valid rows become unsaved instances, every bad cell an error (row, column, reason)."""
    result = ImportResult(spec=spec, user=user)
    rows = iter(rows)
    header = next(rows, None)
    if header is None:
        result.add_error(1, "", _("文件是空的,请使用导入模板。"))
        return result
    matched = _match_header(spec, header, result)
    if not result.ok:
        return result

    # Messages and per-column work resolved once, not per cell (100,000 rows × 14 columns).
    required_message = str(_("必填项,不能为空。"))
    formula_message = str(_("该单元格是公式(%(formula)s),导入不计算公式:请复制后“选择性粘贴为数值”再导入。"))
    duplicate_message = str(_("与第 %(row)s 行重复:%(value)s"))
    existing_message = str(_("系统中已有%(model)s使用该%(column)s:%(value)s"))
    resolvers = {column.field: column.resolver() for column in spec.columns if column.resolver is not None}
    unique_seen: dict[str, dict[Any, int]] = {column.field: {} for column in spec.unique_columns}
    plan = []
    for column, index in matched:
        model_field = spec.model_fields[column.field]
        resolver = resolvers.get(column.field)
        # Field.validate() checks choices, null and blank: empty cells never get here, and a ChoiceParser
        # only returns valid choices, so it is needed only for choices parsed some other way.
        check_choices = model_field.validate if model_field.choices and not isinstance(column.parse, ChoiceParser) \
            else None
        plan.append((index, column.field, column.parse, column.required,
                     resolver.collect if resolver is not None else None,
                     check_choices, model_field.run_validators, unique_seen.get(column.field)))
    new_instance = _instance_factory(spec.model)
    model = spec.model

    # Pass 1: parse each cell and run its field's validators; collect keys for the bulk look-ups.
    pending: list[tuple[int, models.Model, dict[str, str] | None, dict[str, str] | None]] = []
    for row_number, values in enumerate(rows, start=2):
        if all(is_empty(value) for value in values):
            continue
        result.total_rows += 1
        if result.total_rows > spec.max_rows:
            result.add_error(row_number, "", _("文件超过 %(max)s 行,请分批导入。") % {"max": spec.max_rows})
            return result
        instance = new_instance()
        width = len(values)
        keys: dict[str, str] | None = None
        errors: dict[str, str] | None = None
        for index, name, parse, required, collect, check_choices, run_validators, seen in plan:
            raw = values[index] if index < width else None
            if raw is None or (raw.__class__ is str and not raw.strip()):
                if required:
                    errors = errors or {}
                    errors[name] = required_message
                continue
            if raw.__class__ is Formula:
                errors = errors or {}
                errors[name] = formula_message % {"formula": raw.short()}
                continue
            try:
                value = parse(raw)
                if collect is not None:
                    keys = keys or {}
                    keys[name] = value
                    collect(value)
                    continue
                if check_choices is not None:
                    check_choices(value, instance)
                run_validators(value)
            except ValidationError as exc:
                errors = errors or {}
                errors[name] = _messages(exc)
                continue
            setattr(instance, name, value)
            if seen is not None:
                first = seen.setdefault(value, row_number)
                if first != row_number:
                    errors = errors or {}
                    errors[name] = duplicate_message % {"row": first, "value": value}
        pending.append((row_number, instance, keys, errors))
    if result.total_rows == 0:
        result.add_error(2, "", _("文件中没有数据行。"))
        return result

    # The few queries for the whole file: look-up dictionaries and existing unique values.
    for resolver in resolvers.values():
        resolver.prepare(user)
    existing: dict[str, set] = {}
    visible: dict[str, set] = {}
    manager = model._default_manager
    scoped = user is not None and hasattr(manager.all(), "restrict")
    for name, seen in unique_seen.items():
        existing[name], visible[name] = set(), set()
        for chunk in chunked(list(seen)):
            found = set(manager.filter(**{f"{name}__in": chunk}).values_list(name, flat=True))
            existing[name] |= found
            if found and scoped:
                visible[name] |= set(manager.restrict(user).filter(**{f"{name}__in": found})
                                     .values_list(name, flat=True))
            elif found:
                visible[name] |= found
    existing = {name: found for name, found in existing.items() if found}
    elsewhere_message = str(spec.conflict_elsewhere)
    headers = {column.field: column.label for column in spec.columns}
    order = {column.field: position for position, column in enumerate(spec.columns)}

    # Pass 2: assign related objects (instances, so clean() needs no query), check uniqueness, clean().
    for row_number, instance, keys, errors in pending:
        errors = errors or {}
        if keys:
            for name, key in keys.items():
                try:
                    setattr(instance, name, resolvers[name].resolve(key))
                except ValidationError as exc:
                    errors[name] = _messages(exc)
        for name, found in existing.items():
            value = getattr(instance, name)
            if name not in errors and value in found:
                message = existing_message if value in visible[name] else elsewhere_message
                errors[name] = message % {"model": spec.verbose_name, "column": headers[name], "value": value}
        try:
            instance.clean()
        except ValidationError as exc:
            messages_by_field = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
            for name, messages in messages_by_field.items():
                if name not in errors:
                    errors[name] = ";".join(messages)
        if errors:
            result.error_rows += 1
            for name in sorted(errors, key=lambda n: order.get(n, len(order))):
                result.add_error(row_number, headers.get(name) or spec.column_for_field(name), errors[name])
        elif result.ok:
            result.instances.append(instance)
            result.row_numbers.append(row_number)
    if not result.ok:
        result.instances, result.row_numbers = [], []  # all or nothing
    return result


# --- committing ----------------------------------------------------------------------------------


def commit(result: ImportResult, *, batch_size: int = BATCH_SIZE) -> int:
    """Insert every row of an error-free result in one transaction; returns the number created.

    Like bulk_create, save() is not called and no signals are sent: `spec.before_save` sets what save()
    would, and the history (django-simple-history) gets one "+" record per row, by the importing user.
    """
    if not result.ok:
        raise ValueError("an import with errors cannot be committed")
    spec, objects = result.spec, result.instances
    if spec.before_save is not None:
        spec.before_save(objects)
    user = result.user if getattr(result.user, "is_authenticated", False) else None
    key = spec.unique_columns[0].field if spec.unique_columns else None
    using = router.db_for_write(spec.model)
    with transaction.atomic(using=using):
        bulk_insert(spec.model, objects, key=key, using=using, batch_size=batch_size, history_user=user,
                    history_reason=str(_("Excel 导入")))
    return len(objects)


def _insertable_fields(model: type[models.Model]) -> list[models.Field] | None:
    """The columns of a plain INSERT, or None when a field needs the ORM (database defaults, generated)."""
    fields = []
    for model_field in model._meta.concrete_fields:
        if model_field.primary_key:
            if not isinstance(model_field, AutoFieldMixin):
                return None
            continue
        if (getattr(model_field, "generated", False) or model_field.db_default is not NOT_PROVIDED
                or hasattr(model_field, "get_placeholder")):
            return None
        fields.append(model_field)
    return fields


def _insert_sql(connection, model: type[models.Model], fields: list[models.Field]) -> str:
    quote = connection.ops.quote_name  # only quoted identifiers from the model; values are parameters
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608


def bulk_insert(model: type[models.Model], objects: list[models.Model], *, key: str | None, using: str,
                batch_size: int = BATCH_SIZE, history_user=None, history_reason: str = "") -> None:
    """bulk_create (plus simple_history's bulk_history_create when the model has history), faster on SQLite.

    One prepared INSERT is run with executemany and the new primary keys are read back by the unique
    `key`; every value still goes through its field's pre_save() and get_db_prep_save() as in
    bulk_create, and the history rows reuse those prepared values. Other databases, and anything
    unusual (no unique key, database defaults, extra history fields), use the ORM's bulk methods.
    """
    history = None
    if hasattr(model, "history"):
        from simple_history.utils import get_history_manager_for_model

        history = get_history_manager_for_model(model)
    date = timezone.now()
    connection = connections[using]
    # SQLite caps a statement at 999 parameters, so bulk_create sends ~40 rows per INSERT and spends
    # most of its time building SQL; PostgreSQL takes 2,000-row INSERTs and is faster with the ORM.
    fields = _insertable_fields(model) if connection.vendor == "sqlite" else None
    if fields is None or key is None or any(obj.pk is not None for obj in objects):
        model._default_manager.db_manager(using).bulk_create(objects, batch_size=batch_size)
        if history is not None:
            history.bulk_history_create(objects, batch_size=batch_size, default_user=history_user,
                                        default_change_reason=history_reason, default_date=date)
        return

    plan = None if history is None else _history_plan(history.model, fields, connection, {
        "history_date": date, "history_change_reason": history_reason, "history_type": "+",
        "history_user_id": history_user.pk if history_user is not None else None,
    })
    prepared: list[tuple] = []
    sql = _insert_sql(connection, model, fields)
    with connection.cursor() as cursor:
        for chunk in chunked(objects, batch_size):
            rows = [tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields) for obj in chunk]
            cursor.executemany(sql, rows)
            if plan is not None:
                prepared.extend(rows)
    key_attname = model._meta.get_field(key).attname
    pks: dict[Any, Any] = {}
    for chunk in chunked([getattr(obj, key_attname) for obj in objects]):
        pks.update(model._default_manager.db_manager(using).filter(**{f"{key}__in": chunk}).values_list(key, "pk"))
    for obj in objects:
        obj.pk = pks[getattr(obj, key_attname)]
        obj._state.adding, obj._state.db = False, using

    if history is None:
        return
    if plan is None:
        history.bulk_history_create(objects, batch_size=batch_size, default_user=history_user,
                                    default_change_reason=history_reason, default_date=date)
        return
    history_fields, sources = plan
    pk_field = model._meta.pk.attname
    sql = _insert_sql(connection, history.model, history_fields)
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch_size):
            rows = []
            for obj, row in zip(objects[start:start + batch_size], prepared[start:start + batch_size], strict=True):
                rows.append(tuple(
                    row[source] if kind == "row"
                    else source.get_db_prep_save(getattr(obj, pk_field), connection) if kind == "pk"
                    else source
                    for kind, source in sources
                ))
            cursor.executemany(sql, rows)


def _history_plan(history_model, fields: list[models.Field], connection, extras: dict[str, Any]):
    """Where each history column's value comes from: the object's prepared row, its new pk, or a constant.

    None when the historical model has a field this does not know (then bulk_history_create is used).
    """
    history_fields = _insertable_fields(history_model)
    if history_fields is None:
        return None
    tracked = {f.attname for f in history_model.tracked_fields}
    positions = {f.attname: index for index, f in enumerate(fields)}
    by_attname = {f.attname: f for f in fields}
    pk_attname = history_model.instance_type._meta.pk.attname
    sources: list[tuple[str, Any]] = []
    for history_field in history_fields:
        name = history_field.attname
        if name in extras:
            sources.append(("value", history_field.get_db_prep_save(extras[name], connection)))
        elif name == pk_attname and name in tracked:
            sources.append(("pk", history_field))
        elif name in tracked and name in positions and type(history_field) is type(by_attname[name]):
            sources.append(("row", positions[name]))
        else:
            return None
    return history_fields, sources


def pinyin_setter(source: str = "name") -> Callable[[list[models.Model]], None]:
    """A `before_save` that sets name_pinyin/name_initials as save() does (memoized: names repeat)."""
    from .text import pinyin_keys

    def apply(objects: list[models.Model]) -> None:
        cache: dict[str, tuple[str, str]] = {}
        for obj in objects:
            text = getattr(obj, source)
            keys = cache.get(text)
            if keys is None:
                keys = cache[text] = pinyin_keys(text)
            obj.name_pinyin, obj.name_initials = keys

    return apply


# --- the template ----------------------------------------------------------------------------------

TEMPLATE_ROWS = 1_000  # rows pre-formatted as text/date and given drop-downs in the template
_TEXT_PARSERS = (parse_code, parse_id_number, parse_mobile, parse_text)


def template_workbook(spec: ImportSpec):
    """The import template: the header row and one example row, then a sheet explaining each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(spec.model._meta.verbose_name_plural)[:31]
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    example_font = Font(italic=True, color="808080")
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(row=1, column=index, value=column.label)
        header.font = bold
        if column.required:
            header.fill = required_fill
        example = sheet.cell(row=2, column=index, value=column.example if column.example != "" else None)
        example.font = example_font
        sheet.column_dimensions[letter].width = max(12, len(column.label) * 2 + 4, len(str(column.example)) + 4)
        cell_format = None
        if column.parse is parse_date:
            cell_format = "yyyy-mm-dd"
        elif column.parse in _TEXT_PARSERS:
            cell_format = "@"  # text, so long codes keep every digit
        if cell_format:
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row=row, column=index).number_format = cell_format
        options = None
        if isinstance(column.parse, ChoiceParser):
            options = column.parse.options()
            if len(",".join(options)) > 250:
                options = [str(code) for code in column.parse.choices.values]
        elif column.parse is parse_bool:
            options = [str(_("是")), str(_("否"))]
        if options:
            validation = DataValidation(type="list", formula1='"{}"'.format(",".join(options)), allow_blank=True,
                                        showErrorMessage=False)
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(str(_("填写说明")))
    headers = [_("列名"), _("是否必填"), _("填写说明"), _("示例")]
    notes.append([str(h) for h in headers])
    for cell in notes[1]:
        cell.font = bold
    for column in spec.columns:
        example = column.example.isoformat() if isinstance(column.example, dt.date) else column.example
        notes.append([column.label, str(_("必填")) if column.required else str(_("选填")), column.describe(),
                      str(example)])
    notes.append([])
    for line in (
        _("第一行是表头,请勿修改或删除;第二行是示例,导入前请删除或改为真实数据。"),
        _("导入时先校验全部数据:只要有一行有错,就不导入任何数据,并列出每一处错误的行号、列名和原因。"),
        _("日期可用 Excel 日期单元格,或写成 YYYY-MM-DD 文本;代码和证件号码请以文本格式填写。"),
        _("可选值的列可填写中文名称或代码;空行会被忽略。"),
    ):
        notes.append([str(line)])
    for letter, width in zip("ABCD", (24, 10, 80, 28), strict=True):
        notes.column_dimensions[letter].width = width
    return workbook
