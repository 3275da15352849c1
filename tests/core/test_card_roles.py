"""Phone card roles of list columns (docs/decisions/044): explicit roles win, the defaults make any list a card."""

from jiceng.core.tables import ACTION, KEY, SECONDARY, STATUS, TITLE, Column, card_roles


def test_defaults_title_status_and_three_key_fields():
    columns = [Column("name", "名称"), Column("kind", "类型"), Column("status", "状态"), Column("a", "A"),
               Column("b", "B"), Column("c", "C"), Column("d", "D")]
    assert card_roles(columns) == [TITLE, KEY, STATUS, KEY, KEY, SECONDARY, SECONDARY]


def test_a_nested_state_field_is_the_status_and_a_link_column_the_title():
    columns = [Column("letter_no", "编号"), Column("task", "任务", link=True), Column("transfer.state", "状态")]
    assert card_roles(columns) == [KEY, TITLE, STATUS]


def test_explicit_roles_win_and_unnamed_columns_are_secondary_once_keys_are_named():
    columns = [Column("code", "编码"), Column("person", "党员", role=TITLE), Column("org", "党组织", role=KEY),
               Column("state", "状态"), Column("note", "备注"), Column("go", "操作", role=ACTION)]
    assert card_roles(columns) == [SECONDARY, TITLE, KEY, STATUS, SECONDARY, ACTION]


def test_list_pages_mark_their_cells(admin_client, tree):
    from tests import factories as f

    f.enterprise(tree["building1"], "攀达科技", employees=12)
    html = admin_client.get("/enterprises/").content.decode()
    assert 'class="table table-vcenter card-table table-striped table-cards"' in html
    assert '<td data-role="title" data-label="名称"><a href=' in html
    assert 'data-role="secondary" data-label="统一社会信用代码"' in html
    assert 'data-role="key" data-label="从业人员数">12</td>' in html
    assert 'data-testid="filter-drawer"' in html and 'data-testid="more-menu"' in html


def test_filter_button_counts_the_filters_set(admin_client, tree):
    html = admin_client.get("/enterprises/?q=x&kind=enterprise&industry=").content.decode()
    assert '<span class="badge bg-primary text-white ms-1">1</span>' in html


def test_rows_escape_what_users_typed_and_show_values_as_the_cells_did():
    import datetime as dt
    from types import SimpleNamespace

    from django.utils import timezone

    from jiceng.core.tables import Column, table_rows

    obj = SimpleNamespace(name='<script>alert("x")</script>', flag=True, when=dt.datetime(2026, 3, 5, 1, 2,
                          tzinfo=dt.UTC), day=dt.date(2026, 3, 5), count=1234,
                          get_absolute_url=lambda: '/x/1/?a="b"')
    columns = [Column("name", "名称<&>", link=True), Column("flag", "是否"), Column("when", "时间"),
               Column("day", "日期"), Column("count", "数")]
    with timezone.override("Asia/Shanghai"):
        roles = ["title", "key", "key", "key", "secondary"]
        [row] = table_rows([(obj, [c.value(obj) for c in columns])], columns, roles)
    assert "<script>" not in row and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in row
    assert 'data-label="名称&lt;&amp;&gt;"' in row
    assert '<a href="/x/1/?a=&quot;b&quot;">' in row
    assert '<td data-role="key" data-label="是否">是</td>' in row
    assert '<td data-role="key" data-label="时间">2026-03-05 09:02</td>' in row  # local time, to the minute
    assert '<td data-role="key" data-label="日期">2026-03-05</td>' in row
    assert '<td data-role="secondary" data-label="数">1234</td>' in row
