"""Time the Excel import of a large party-member roster against a scratch SQLite database.

    python benchmarks/import_roster.py [--rows 100000] [--seed 7] [--keep] [--database-url URL]

Builds a fresh database in a temporary folder (the configured database is never touched): a district
with 300 branches and 500 employers, a district administrator, and two rosters of N valid rows each
(realistic names, valid ID numbers and phones, dates as date cells, 60% with an employer by credit
code). One is stored as Excel and WPS save files (shared strings, a <dimension> element); the other
as openpyxl's write-only mode writes it (inline strings, no <dimension>, which openpyxl would scan the
sheet twice for; the import no longer lets it), the slow case. For each it times what the confirm
step does, read + validate and then
commit (one transaction: insert plus history), and checks that every row arrived. Finally it
re-validates the first file, where now every row clashes with the database, to time the all-errors
path. The quality bar is validate + commit under 60 s for 100,000 rows on this 2-core machine;
wall-clock and CPU seconds are both shown because other work on the machine shows in the former.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape


def setup_django(folder: Path, database_url: str | None = None) -> None:
    os.environ["JICENG_DATA_DIR"] = str(folder)
    os.environ["JICENG_DATABASE_URL"] = database_url or f"sqlite:///{folder / 'scratch.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "jiceng.settings"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力斌宇浩凯佳欣怡晨雪琳子涵轩博思雨"
REGIONS = ["310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112", "310113", "310114",
           "310115", "310116", "310117", "310118", "310120", "310151"]
EDUCATION = ["研究生", "大学本科", "大学专科", "中专/高中", "初中及以下", ""]


def build_world(rng: random.Random):
    from django.contrib.auth import get_user_model

    from jiceng.accounts.models import Role, RoleAssignment
    from jiceng.core.validators import USCC_CHARSET, make_uscc
    from jiceng.enterprises.models import Enterprise
    from jiceng.organizations.models import Organization, OrgKind
    from jiceng.places.models import Place, PlaceKind

    district = Place.objects.create(name="杨浦区", kind=PlaceKind.DISTRICT)
    buildings = []
    for s in range(6):
        street = Place.objects.create(name=f"第{s + 1}街道", kind=PlaceKind.STREET, parent=district)
        for p in range(5):
            park = Place.objects.create(name=f"第{s + 1}街道园区{p + 1}", kind=PlaceKind.PARK, parent=street)
            for b in range(3):
                buildings.append(Place.objects.create(name=f"{park.name}{b + 1}号楼", kind=PlaceKind.BUILDING,
                                                      parent=park))
    org_names = []
    for index in range(300):
        building = buildings[index % len(buildings)]
        org = Organization.objects.create(name=f"{building.name}第{index + 1}党支部", kind=OrgKind.BRANCH,
                                          place=building)
        org_names.append(org.name)
    codes = []
    for index in range(500):
        body, n = "", index + 1
        for _ in range(9):
            n, r = divmod(n, len(USCC_CHARSET))
            body = USCC_CHARSET[r] + body
        code = make_uscc("91310110" + body)
        Enterprise.objects.create(name=f"示例企业{index + 1}", credit_code=code, place=rng.choice(buildings))
        codes.append(code)
    user = get_user_model().objects.create_user("district_admin", password="x")  # noqa: S106
    RoleAssignment.objects.create(user=user, role=Role.DISTRICT_ADMIN, place=district)
    return user, org_names, codes


def roster_rows(count: int, rng: random.Random, org_names: list[str], codes: list[str],
                seen: set[str]) -> list[list]:
    """A header and `count` valid member rows; `seen` keeps ID numbers unique across rosters."""
    from jiceng.core.validators import make_id_number
    from jiceng.members.importing import MEMBER_IMPORT

    today = dt.date.today()
    rows: list[list] = [[column.label for column in MEMBER_IMPORT.columns]]
    for i in range(count):
        male = rng.random() < 0.6
        while True:
            birth = dt.date(1945, 1, 1) + dt.timedelta(days=rng.randrange(365 * 55))
            id_number = make_id_number(rng.choice(REGIONS), birth, rng.randrange(500), male)
            if id_number not in seen:
                seen.add(id_number)
                break
        join = min(birth.replace(year=birth.year + rng.randint(19, 40), day=min(birth.day, 28)),
                   today - dt.timedelta(days=400))
        full = rng.random() < 0.9
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        rows.append([
            name, "男" if male else "女", "汉族" if rng.random() < 0.94 else "回族",
            dt.datetime(birth.year, birth.month, birth.day), id_number, f"1{3 + i % 7}{i:09d}",
            rng.choice(EDUCATION), dt.datetime(join.year, join.month, join.day),
            (join + dt.timedelta(days=365)).isoformat() if full else None, "正式党员" if full else "预备党员",
            rng.choice(org_names), rng.choice(codes) if rng.random() < 0.6 else None,
            "上海市杨浦区", "是" if rng.random() < 0.05 else "否",
        ])
    return rows


def write_openpyxl(path: Path, rows: list[list]) -> None:
    """As openpyxl's write-only mode writes it: inline strings and no <dimension> (the slow case to read)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("党员")
    for row in rows:
        ws.append(row)
    wb.save(path)


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def write_excel_like(path: Path, rows: list[list]) -> None:
    """As Excel and WPS save a workbook: a shared-strings table, a <dimension>, dates as styled serials."""
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.datetime import to_excel

    strings: dict[str, int] = {}
    letters = [get_column_letter(i + 1) for i in range(len(rows[0]))]
    body = []
    for number, row in enumerate(rows, start=1):
        cells = []
        for letter, value in zip(letters, row, strict=False):
            ref = f"{letter}{number}"
            if value is None:
                continue
            if isinstance(value, dt.date):
                cells.append(f'<c r="{ref}" s="1"><v>{to_excel(value)}</v></c>')
            elif isinstance(value, int | float) and not isinstance(value, bool):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                index = strings.setdefault(str(value), len(strings))
                cells.append(f'<c r="{ref}" t="s"><v>{index}</v></c>')
        body.append(f'<row r="{number}">{"".join(cells)}</row>')
    sheet = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{_MAIN}">'
             f'<dimension ref="A1:{letters[-1]}{len(rows)}"/><sheetData>{"".join(body)}</sheetData></worksheet>')
    shared = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/></Types>'),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
            '<sheets><sheet name="党员" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
        "xl/styles.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="{_MAIN}">'
            '<fonts count="1"><font><sz val="11"/><name val="等线"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
        "xl/sharedStrings.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{_MAIN}" count="{len(strings)}" '
            f'uniqueCount="{len(strings)}">{shared}</sst>'),
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)


def timed_import(path: Path, user, expected: int) -> tuple[float, float, float, float]:
    """(validate wall, validate CPU, commit wall, commit CPU) for one file; checks that every row arrived."""
    from jiceng.core.importing import commit, read_rows, validate
    from jiceng.members.importing import MEMBER_IMPORT
    from jiceng.members.models import Member

    before = Member.objects.count()
    wall, cpu = time.perf_counter(), time.process_time()
    result = validate(MEMBER_IMPORT, read_rows(path), user)
    validated, cpu_validated = time.perf_counter(), time.process_time()
    if not result.ok:
        for error in result.errors[:10]:
            print(error)
        raise SystemExit(f"unexpected errors: {result.error_count}")
    created = commit(result)
    committed, cpu_committed = time.perf_counter(), time.process_time()
    assert created == expected == Member.objects.count() - before
    assert Member.history.count() == Member.objects.count()
    assert not Member.objects.filter(name_pinyin="").exists()
    return validated - wall, cpu_validated - cpu, committed - validated, cpu_committed - cpu_validated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--database-url", help="an EMPTY database to use and fill instead of a scratch SQLite "
                                               "file, e.g. postgres://postgres@127.0.0.1:5432/scratch")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="jiceng-import-bench-"))
    try:
        setup_django(folder, args.database_url)
        from jiceng.core.importing import read_rows, validate
        from jiceng.members.importing import MEMBER_IMPORT

        rng = random.Random(args.seed)
        user, org_names, codes = build_world(rng)
        seen: set[str] = set()
        excel_file, openpyxl_file = folder / "roster-excel.xlsx", folder / "roster-openpyxl.xlsx"
        start = time.perf_counter()
        write_excel_like(excel_file, roster_rows(args.rows, rng, org_names, codes, seen))
        write_openpyxl(openpyxl_file, roster_rows(args.rows, rng, org_names, codes, seen))
        print(f"generated 2 × {args.rows:,} rows ({excel_file.stat().st_size / 1e6:.1f} MB as Excel saves it, "
              f"{openpyxl_file.stat().st_size / 1e6:.1f} MB as openpyxl writes it) in "
              f"{time.perf_counter() - start:.0f} s", flush=True)

        load_before = os.getloadavg()[0]
        table = []
        for label, path in (("Excel-saved file (shared strings)", excel_file),
                            ("openpyxl-written file (inline strings)", openpyxl_file)):
            v_wall, v_cpu, c_wall, c_cpu = timed_import(path, user, args.rows)
            table.append((label, v_wall, v_cpu, c_wall, c_cpu))
            print(f"{label}: {v_wall + c_wall:.1f} s", flush=True)
        wall, cpu = time.perf_counter(), time.process_time()
        again = validate(MEMBER_IMPORT, read_rows(excel_file), user)
        rejected, cpu_rejected = time.perf_counter() - wall, time.process_time() - cpu
        assert again.error_count == args.rows and again.error_rows == args.rows and not again.instances
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        print(f"\n{args.rows:,} rows; wall-clock seconds (CPU seconds)\n")
        def cell(wall: float, cpu: float) -> str:
            return f"{wall:.1f} ({cpu:.1f})"

        print(f"| {'file':<40} | {'read + validate':>15} | {'commit':>11} | {'**total**':>13} |")
        print(f"|{'-' * 42}|{'-' * 16}:|{'-' * 12}:|{'-' * 14}:|")
        for label, v_wall, v_cpu, c_wall, c_cpu in table:
            total = f"**{cell(v_wall + c_wall, v_cpu + c_cpu)}**"
            print(f"| {label:<40} | {cell(v_wall, v_cpu):>15} | {cell(c_wall, c_cpu):>11} | {total:>13} |")
        print(f"| {'re-import: every row already exists':<40} | {cell(rejected, cpu_rejected):>15} | "
              f"{'—':>11} | {'nothing saved':>13} |")
        worst = max(v_wall + c_wall for _label, v_wall, _v, c_wall, _c in table)
        print(f"\npeak memory {peak_mb:,.0f} MB; load average at start {load_before:.1f} on {os.cpu_count()} CPUs; "
              f"bar (validate + commit < 60 s): {'PASS' if worst < 60 else 'FAIL'}")
    finally:
        if args.keep:
            print(f"scratch folder kept: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
