// Draw every chart whose Vega-Lite spec sits on the page (json_script), now and after htmx
// swaps a section in. The table below each chart holds the same figures.
(function () {
  "use strict";
  function render(root) {
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.rendered) { return; }
      var source = document.getElementById(el.dataset.chart);
      if (!source) { return; }
      el.dataset.rendered = "1";
      var spec = JSON.parse(source.textContent);
      window.vegaEmbed(el, spec, { actions: false, renderer: "svg" }).then(function (result) {
        el.dataset.drawn = "1";
        var svg = el.querySelector("svg");
        if (svg && spec.description) {
          svg.setAttribute("aria-label", spec.description);
        }
        return result;
      }).catch(function () {
        el.textContent = "The chart could not be drawn; the table below it has the same figures.";
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { render(document); });
  document.addEventListener("htmx:afterSettle", function (event) { render(event.target); });
})();
