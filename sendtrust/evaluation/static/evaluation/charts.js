// Draw each self-evaluation chart from its Vega-Lite spec (json_script). The table beside the
// chart holds the same figures, so a chart that cannot be drawn says so and nothing is lost.
(function () {
  "use strict";
  function render(root) {
    root.querySelectorAll("[data-eval-chart]").forEach(function (el) {
      if (el.dataset.rendered) { return; }
      var source = document.getElementById(el.dataset.evalChart);
      if (!source || !window.vegaEmbed) { return; }
      el.dataset.rendered = "1";
      var spec = JSON.parse(source.textContent);
      window.vegaEmbed(el, spec, { actions: false, renderer: "svg" }).then(function () {
        var svg = el.querySelector("svg");
        if (svg) {
          svg.setAttribute("role", "img");
          svg.setAttribute("aria-label", spec.description || "Chart");
        }
        el.dataset.drawn = "1";
      }).catch(function () {
        el.textContent = "The chart could not be drawn; the table beside it has the same figures.";
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { render(document); });
})();
