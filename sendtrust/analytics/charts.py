"""Vega-Lite specs built from the analytics figures: self-contained (data inline, no URLs).

Every mark that carries a category encodes it twice, by shape or dash as well as colour, and
every chart has a `description` that vega-embed gives the SVG as its accessible name. The same
spec renders in a browser (vega-embed) and in a PDF (vl-convert-python).
"""

from __future__ import annotations

from sendtrust.analytics.figures import FLAG_WORDS, FunnelSection

# The major version of the vendored vega-lite (sendtrust/static/vendor/vega-lite.min.js, 6.4.1):
# a spec that names another version makes vega-embed warn in the console.
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
WIDTH = 560
HEIGHT = 320
FUNNEL_WIDTH, FUNNEL_HEIGHT = 820, 460
# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
BLUE, ORANGE, GREEN, VERMILION, PURPLE, SKY, GREY = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#6b6b6b")

FLAG_ORDER = [FLAG_WORDS[k] for k in ("above_998", "above_95", "within", "below_95",
                                      "below_998")]
FLAG_SHAPES = ["triangle-up", "triangle-up", "circle", "triangle-down", "triangle-down"]
FLAG_COLOURS = [VERMILION, ORANGE, BLUE, SKY, PURPLE]
SERIES_SHAPES = ["circle", "square", "diamond", "triangle-up", "cross", "triangle-down"]
SERIES_DASHES = [[1, 0], [6, 3], [2, 2], [8, 2, 2, 2], [4, 4], [1, 3]]


def _base(description: str, title: str) -> dict:
    return {
        "$schema": SCHEMA,
        "description": description,
        "title": {"text": title, "anchor": "start", "fontSize": 14},
        "width": WIDTH,
        "height": HEIGHT,
        # labelLimit 0: axis labels (need names, outcomes) are never cut short.
        "config": {"font": "system-ui, sans-serif", "axis": {"labelFontSize": 12,
                                                            "titleFontSize": 12,
                                                            "labelLimit": 0},
                   "legend": {"labelFontSize": 12, "titleFontSize": 12}},
    }


def funnel_spec(section: FunnelSection) -> dict:
    """National schools (a sample, grey), the 95% and 99.8% limits, the trust's schools."""
    nf = section.national
    y_max = max([nf.sample_max] + [p["rate"] for p in section.points] + [1.0])
    y_scale = {"domain": [0, min(100, round(y_max * 1.05 + 0.5, 0))], "nice": False}
    x = {"field": "pupils", "type": "quantitative", "title": "Pupils on roll"}
    y = {"field": "rate", "type": "quantitative", "title": f"{nf.label} (% of pupils)",
         "scale": y_scale}
    spec = _base(section.reading, section.title)
    spec["width"], spec["height"] = FUNNEL_WIDTH, FUNNEL_HEIGHT
    spec["layer"] = [
        {"data": _csv_data(nf.sample_csv, ("pupils", "rate")),
         "mark": {"type": "circle", "size": 10, "color": "#9a9a9a", "opacity": 0.35},
         "encoding": {"x": x, "y": y}},
        {"data": _csv_data(nf.grid_csv, ("pupils", *LIMIT_COLUMNS)),
         # One row per grid point, folded into a row per (point, line, side) in the browser.
         "transform": [
             {"fold": list(LIMIT_COLUMNS), "as": ["limit", "rate"]},
             {"calculate": "indexof(datum.limit, '998') >= 0 ? '99.8% limits' : '95% limits'",
              "as": "line"},
             {"calculate": "indexof(datum.limit, 'lo') == 0 ? 'lower' : 'upper'", "as": "side"},
         ],
         "mark": {"type": "line", "color": "#333333", "strokeWidth": 1.2, "clip": True},
         "encoding": {"x": x, "y": y, "detail": {"field": "side"},
                      "strokeDash": {"field": "line", "type": "nominal", "title": "Limits",
                                     "scale": {"domain": ["95% limits", "99.8% limits"],
                                               "range": [[5, 4], [1, 0]]}}}},
        {"data": {"values": [{"rate": round(100 * nf.p0, 2)}]},
         "mark": {"type": "rule", "color": "#333333", "strokeDash": [2, 2]},
         "encoding": {"y": {"field": "rate", "type": "quantitative"}}},
    ]
    if section.points:
        spec["layer"].append({
            "data": {"values": section.points},
            "mark": {"type": "point", "filled": True, "size": 110, "stroke": "#000000",
                     "strokeWidth": 0.8, "opacity": 1},
            "encoding": {
                "x": x, "y": y,
                "shape": {"field": "flag", "type": "nominal", "title": "Flag",
                          "scale": {"domain": FLAG_ORDER, "range": FLAG_SHAPES}},
                "color": {"field": "flag", "type": "nominal", "title": "Flag",
                          "scale": {"domain": FLAG_ORDER, "range": FLAG_COLOURS}},
                "tooltip": [{"field": "school", "title": "School"},
                            {"field": "pupils", "title": "Pupils"},
                            {"field": "rate", "title": "Rate %"},
                            {"field": "flag", "title": "Flag"}],
            },
        })
    spec["resolve"] = {"scale": {"color": "independent", "shape": "independent"}}
    return spec


LIMIT_COLUMNS = ("lo95", "hi95", "lo998", "hi998")


def _csv_data(text: str, numbers) -> dict:
    """Inline CSV data: a national sample of 1,000 schools is a few kB of text this way."""
    return {"values": text, "format": {"type": "csv", "parse": dict.fromkeys(numbers, "number")}}


def dot_spec(rows: list[dict], *, category: str, value: str, group: str, title: str,
             description: str, x_title: str) -> dict:
    """A dot plot: one row per category, a shaped, coloured dot per group."""
    groups = list(dict.fromkeys(r[group] for r in rows))
    spec = _base(description, title)
    spec["height"] = {"step": 22}
    spec["data"] = {"values": rows}
    spec["mark"] = {"type": "point", "filled": True, "size": 90, "stroke": "#000000",
                    "strokeWidth": 0.6}
    spec["encoding"] = {
        "y": {"field": category, "type": "nominal", "title": None, "sort": None},
        "x": {"field": value, "type": "quantitative", "title": x_title},
        "shape": {"field": group, "type": "nominal", "title": None,
                  "scale": {"domain": groups, "range": SERIES_SHAPES[:len(groups)]}},
        "color": {"field": group, "type": "nominal", "title": None,
                  "scale": {"domain": groups,
                            "range": [BLUE, ORANGE, GREEN, PURPLE][:len(groups)]}},
        "tooltip": [{"field": category}, {"field": group}, {"field": value}],
    }
    return spec


def line_spec(rows: list[dict], *, x: str, y: str, series: str, title: str,
              description: str, y_title: str, x_title: str = "Year") -> dict:
    """Lines with a shaped point per series, dashed differently as well as coloured."""
    names = list(dict.fromkeys(r[series] for r in rows))
    colours = [BLUE, ORANGE, GREEN, VERMILION, PURPLE, SKY, GREY]
    enc = {
        "x": {"field": x, "type": "ordinal", "title": x_title},
        "y": {"field": y, "type": "quantitative", "title": y_title},
        "color": {"field": series, "type": "nominal", "title": None,
                  "scale": {"domain": names, "range": (colours * 3)[:len(names)]}},
        "tooltip": [{"field": series}, {"field": x}, {"field": y}],
    }
    spec = _base(description, title)
    spec["data"] = {"values": rows}
    spec["layer"] = [
        {"mark": {"type": "line", "strokeWidth": 2},
         "encoding": {**enc, "strokeDash": {"field": series, "type": "nominal", "title": None,
                                            "scale": {"domain": names,
                                                      "range": (SERIES_DASHES * 3)[
                                                          :len(names)]}}}},
        {"mark": {"type": "point", "filled": True, "size": 60},
         "encoding": {**enc, "shape": {"field": series, "type": "nominal", "title": None,
                                       "scale": {"domain": names,
                                                 "range": (SERIES_SHAPES * 3)[:len(names)]}}}},
    ]
    return spec


def gap_spec(rows: list[dict], title: str, description: str) -> dict:
    """Each outcome's gap with its confidence interval where there is one."""
    # Only percentage-point gaps share this axis; a score gap (Attainment 8 points) is on
    # another scale, so it is in the table only.
    data = [r for r in rows if isinstance(r.get("gap"), float | int) and r.get("_pct")]
    places = list(dict.fromkeys(r["place"] for r in data))
    spec = _base(description, title)
    spec["data"] = {"values": data}
    spec["height"] = {"step": 16}
    spec["encoding"] = {
        "y": {"field": "outcome", "type": "nominal", "title": None, "sort": None},
        "yOffset": {"field": "place", "type": "nominal", "sort": places},
    }
    enc_group = {
        "shape": {"field": "place", "type": "nominal", "title": None,
                  "scale": {"domain": places, "range": (SERIES_SHAPES * 3)[:len(places)]}},
        "color": {"field": "place", "type": "nominal", "title": None,
                  "scale": {"domain": places,
                            "range": ([BLUE, ORANGE, GREEN, VERMILION, PURPLE] * 3)[
                                :len(places)]}},
    }
    spec["layer"] = [
        {"mark": {"type": "rule", "color": "#555555"},
         "transform": [{"filter": "datum.ci_low != null"}],
         "encoding": {"x": {"field": "ci_low", "type": "quantitative"},
                      "x2": {"field": "ci_high"}}},
        {"mark": {"type": "point", "filled": True, "size": 70, "stroke": "#000000",
                  "strokeWidth": 0.6},
         "encoding": {"x": {"field": "gap", "type": "quantitative",
                            "title": "Gap in percentage points: pupils with SEN minus "
                                     "pupils without"},
                      **enc_group,
                      "tooltip": [{"field": "outcome"}, {"field": "place"},
                                  {"field": "period"}, {"field": "gap"}]}},
    ]
    return spec
