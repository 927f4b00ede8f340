"""The markup of analytics tables and figure cells, as people and their screen readers meet it.

Pinned on the rendered HTML (compared as parsed HTML, so whitespace and attribute order do
not matter): the scroll region's name, the caption, header cells with their scope, numeric
columns marked for right-alignment, a withheld value said in words, a missing value read as
"not available", links on first cells, totals in <tfoot>, source notes, and escaping of text
that people typed (a school's name).
"""

import pytest
from django.template import engines
from django.test.html import parse_html

from sendtrust.analytics.tables import PROTECTING, SMALL, Column, Table

MISSING_HTML = ('<span aria-hidden="true">–</span>'
                '<span class="visually-hidden">not available</span>')


def render(source: str, **context) -> str:
    return engines["django"].from_string("{% load analytics %}" + source).render(context)


def count_in(html: str, fragment: str) -> int:
    """How often fragment occurs in html as HTML (elements, attributes and text)."""
    return parse_html(html).count(parse_html(fragment))


COLUMNS = [Column("school", "School"), Column("pupils", "Pupils", "count"),
           Column("rate", "SEN support %", "pct"), Column("gap", "Gap", "num"),
           Column("note", "Note")]


@pytest.fixture(scope="module")
def table():
    return Table(
        key="schools", caption="SEN support by school, January 2025", columns=COLUMNS,
        rows=[
            {"school": "Ash Primary", "pupils": 1234, "rate": 12.345, "gap": -1.5,
             "note": "fine", "_url": "/schools/a/analytics/?x=1&y=2"},
            {"school": "Beech <script>alert(1)</script>", "pupils": SMALL, "rate": PROTECTING,
             "gap": None, "note": None},
        ],
        footer=[{"school": "All schools", "pupils": 1240, "rate": 12.5,
                 "_url": "/never/linked/"}],
        notes=["Source: school census & DfE <SEN2>"],
    )


@pytest.fixture(scope="module")
def html(table):
    return render("{% analytics_table t %}", t=table)


def test_a_table_sits_in_a_named_scroll_region_with_its_caption(html):
    region = parse_html(html).children[0]
    assert region.name == "div"
    assert dict(region.attributes) == {
        "class": "table-scroll", "tabindex": "0", "role": "region",
        "aria-label": "SEN support by school, January 2025"}
    assert count_in(html, "<caption>SEN support by school, January 2025</caption>") == 1
    assert region.children[0].name == "table"
    assert dict(region.children[0].attributes) == {"class": "analytics-table"}


def test_header_cells_name_their_columns_and_numeric_ones_align_right(html):
    heads = ('<tr><th scope="col">School</th><th scope="col" class="num">Pupils</th>'
             '<th scope="col" class="num">SEN support %</th><th scope="col" class="num">Gap</th>'
             '<th scope="col">Note</th></tr>')
    assert count_in(html, f"<thead>{heads}</thead>") == 1


def test_values_are_formatted_for_their_kind_and_rows_have_a_header_cell(html):
    row = ('<tr><th scope="row"><a href="/schools/a/analytics/?x=1&amp;y=2">Ash Primary</a></th>'
           '<td class="num">1,234</td><td class="num">12.3%</td><td class="num">−1.50</td>'
           "<td>fine</td></tr>")
    assert count_in(html, row) == 1


def test_withheld_values_are_said_in_words_and_missing_ones_read_as_not_available(html):
    row = ('<tr><th scope="row">Beech &lt;script&gt;alert(1)&lt;/script&gt;</th>'
           '<td class="num"><span class="withheld">fewer than 5</span></td>'
           '<td class="num"><span class="withheld">withheld to protect a small number</span></td>'
           f'<td class="num">{MISSING_HTML}</td><td>{MISSING_HTML}</td></tr>')
    assert count_in(html, row) == 1
    assert "<script>" not in html


def test_totals_go_in_tfoot_unlinked_with_empty_cells_where_there_is_no_total(html):
    foot = ('<tfoot><tr><th scope="row">All schools</th><td class="num">1,240</td>'
            '<td class="num">12.5%</td><td class="num"></td><td></td></tr></tfoot>')
    assert count_in(html, foot) == 1
    assert "/never/linked/" not in html


def test_sources_are_listed_under_the_table_escaped(html):
    notes = '<ul class="hint sources"><li>Source: school census &amp; DfE &lt;SEN2&gt;</li></ul>'
    assert count_in(html, notes) == 1


def test_a_table_without_rows_says_so_across_every_column():
    empty = Table(key="none", caption="Nothing yet", columns=COLUMNS)
    html = render("{% analytics_table t %}", t=empty)
    assert count_in(html, '<tbody><tr><td colspan="5">No figures to show.</td></tr></tbody>') == 1
    assert "<tfoot>" not in html and "sources" not in html


def test_the_table_partial_renders_the_same_table(table, html):
    included = render('{% include "analytics/_table.html" with table=t %}', t=table)
    assert parse_html(included) == parse_html(html)


def test_figure_cells_of_the_trust_overview_say_withheld_and_missing_values():
    from types import SimpleNamespace as NS

    figures = NS(pupils=12345, sen_support=SMALL, sen_support_rate=PROTECTING, ehcp=None,
                 ehcp_rate=7.25, compare=NS(
                     national=NS(label="England <b>primary</b>", available=True,
                                 sen_support_rate=13.04, ehcp_rate=None),
                     la=NS(label="Bristol", available=False)))
    html = render('<table><tr>{% include "organisations/_figure_cells.html" with f=f %}'
                  "</tr></table>", f=figures)
    cells = ('<table><tr><td class="num">12,345</td>'
             '<td class="num"><span class="withheld">fewer than 5</span></td>'
             '<td class="num"><span class="withheld">withheld to protect a small number</span></td>'
             f'<td class="num">{MISSING_HTML}</td><td class="num">7.2%</td>'
             "<td>England &lt;b&gt;primary&lt;/b&gt;</td>"
             f'<td class="num">13.0%</td><td class="num">{MISSING_HTML}</td><td>Bristol</td>'
             '<td class="num"><span class="hint">none</span></td>'
             '<td class="num"><span class="hint">none</span></td></tr></table>')
    assert parse_html(html) == parse_html(cells)
