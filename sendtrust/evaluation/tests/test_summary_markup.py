"""The markup of a round's summaries (heat map, change since last round, area wheel) as
people and screen readers meet it, with names people typed (a school's, a theme's in a
trust's own framework) escaped wherever they are printed."""

import pytest
from django.core.cache import cache
from django.test.html import parse_html

from sendtrust.evaluation.models import ScaleLevel, Theme
from sendtrust.evaluation.tests.helpers import fill, open_round, shipped, unit_of

SCHOOL = 'Alder <script>alert("school")</script> Primary'
THEME = '<script>alert("theme")</script> Governance'
SCHOOL_HTML = "Alder &lt;script&gt;alert(&quot;school&quot;)&lt;/script&gt; Primary"
THEME_HTML = "&lt;script&gt;alert(&quot;theme&quot;)&lt;/script&gt; Governance"


def count_in(html: str, fragment: str) -> int:
    return parse_html(html).count(parse_html(fragment))


@pytest.fixture
def rated(cast):
    """Two rounds: Alder (renamed with markup) at level 2 then 3, Birch not rated; one theme of
    the shipped framework renamed with markup. The framework structure cache is emptied so the
    new theme name is read."""
    cache.clear()
    cast.school_a.name = SCHOOL
    cast.school_a.save(update_fields=["name"])
    Theme.objects.filter(framework=shipped(), slug="governance").update(title=THEME)
    first = open_round(cast, name="Summer 2026")
    fill(unit_of(first, cast.school_a), level=2)
    second = open_round(cast, name="Autumn 2026")
    fill(unit_of(second, cast.school_a), level=3)
    yield second
    cache.clear()


def test_heat_map_cells_say_the_level_and_names_are_escaped(cast, client, rated):
    client.force_login(cast.users["send_leader"])
    body = client.get(f"/evaluation/rounds/{rated.code}/heat-map/").content.decode()
    label = ScaleLevel.objects.get(framework=shipped(), value=3).label
    draft = ' <span class="hint">(draft)</span>'  # a unit not yet submitted says so
    heads = (f'<thead><tr><th scope="col">Theme</th><th scope="col">Trust{draft}</th>'
             f'<th scope="col">{SCHOOL_HTML}{draft}</th>'
             f'<th scope="col">Birch Academy{draft}</th></tr></thead>')
    assert count_in(body, heads) == 1
    # The theme's row: its name as the row's header, then a cell per unit saying its level.
    row = (f'<tr><th scope="row">{THEME_HTML}</th>'
           '<td><span class="level level-none">Not rated</span></td>'
           f'<td><span class="level level-3"><strong>3</strong> {label}</span></td>'
           '<td><span class="level level-none">Not rated</span></td></tr>')
    assert count_in(body, row) == 1
    assert "<script>alert" not in body


def test_change_since_last_round_names_the_direction_and_escapes_names(cast, client, rated):
    client.force_login(cast.users["send_leader"])
    body = client.get(f"/evaluation/rounds/{rated.code}/changes/").content.decode()
    assert count_in(body, f"<caption>{SCHOOL_HTML}</caption>") == 1
    low = ScaleLevel.objects.get(framework=shipped(), value=2).label
    high = ScaleLevel.objects.get(framework=shipped(), value=3).label
    row = (f'<tr><th scope="row">{THEME_HTML}</th>'
           f'<td><span class="level level-2"><strong>2</strong> {low}</span></td>'
           f'<td><span class="level level-3"><strong>3</strong> {high}</span></td>'
           '<td class="change-up"><span aria-hidden="true">↑</span> up 2 → 3</td></tr>')
    assert count_in(body, row) == 1
    assert "<script>alert" not in body


def test_area_wheel_table_and_chart_spec_escape_the_school_name(cast, client, rated):
    client.force_login(cast.users["send_leader"])
    unit = unit_of(rated, cast.school_a)
    body = client.get(f"/evaluation/units/{unit.code}/areas/").content.decode()
    assert count_in(body, f"<caption>Mean level per area: {SCHOOL_HTML}</caption>") == 1
    assert count_in(body, '<thead><tr><th scope="col" class="num">No.</th>'
                          '<th scope="col">Area</th><th scope="col" class="num">Mean level</th>'
                          '<th scope="col" class="num">Themes rated</th></tr></thead>') == 1
    assert "\\u003Cscript\\u003Ealert" in body  # in the chart's JSON, unable to end its element
    assert "<script>alert" not in body
