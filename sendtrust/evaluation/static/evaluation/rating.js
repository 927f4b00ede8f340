// The rating page: after a refused submit, focus the error summary; after saving one theme
// without JavaScript the page comes back at that theme's anchor, so focus the theme (named
// by its heading) rather than leaving focus on the page. A script file: the CSP allows no
// inline script.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); return; }
    if (location.hash.length > 1) {
      var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (target && target.hasAttribute("tabindex")) { target.focus(); }
    }
  });
})();
