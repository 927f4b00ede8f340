"""The trust analytics as one PDF for board papers: the page's charts drawn offline.

The charts are the same Vega-Lite specs the page draws in the browser, rendered to SVG on the
server by vl-convert (no browser, no network), beside the same tables, withheld cells and all.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from sendtrust.lib.pdf import html_to_pdf

# The vendored vega-lite's minor version (charts.SCHEMA names its major version).
VEGA_LITE = "6.4"


def chart_svg(spec: dict | None) -> str:
    """A chart spec as SVG markup, drawn offline; "" without a spec."""
    if not spec:
        return ""
    import vl_convert  # imported here: it loads a JavaScript engine that pages do not need

    svg = vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE)
    return mark_safe(svg[svg.index("<svg"):])  # noqa: S308  (our own spec, drawn by vl-convert)


def report_html(request, context: dict) -> str:
    """The report as HTML: every chart of the page as SVG, with its table."""
    charts = [*context["funnels"], *context["charts"].values()]
    return render_to_string("analytics/report.html", {
        **context, "drawn": [(c, chart_svg(c.spec)) for c in charts],
        "printed_at": timezone.localtime(),
    }, request=request)


def report_pdf(request, context: dict) -> bytes:
    return html_to_pdf(report_html(request, context))
