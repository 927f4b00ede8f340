/* Focus after page loads and htmx swaps, and the upload progress of the import page.
 *
 * - An element marked data-autofocus (the GOV.UK error summary) takes focus when the page
 *   loads or when it is swapped in.
 * - After an htmx swap, when focus was lost with the replaced content (a "Next page" link),
 *   it moves to the swapped region's data-focus-after-swap element (its heading), so the
 *   page does not sit at the bottom; a control outside the swap (a filter) keeps it.
 * - A data-announce element's text is read out by the page's status region after a swap.
 * - A link in the error summary moves focus to the field it names.
 */
(function () {
  "use strict";

  function focusIn(root) {
    var summary = root.querySelector("[data-autofocus]");
    if (summary) { summary.focus(); return true; }
    return false;
  }

  document.addEventListener("DOMContentLoaded", function () { focusIn(document); });

  // The main navigation: "Menu" (narrow screens) and "More" are disclosure buttons. Without
  // this script both stay hidden and every link is listed.
  function setupNav() {
    var nav = document.querySelector("[data-site-nav]");
    if (!nav) return;
    var menu = nav.querySelector(".nav-toggle");
    var more = nav.querySelector(".nav-more-toggle");
    var moreList = document.getElementById("site-nav-more");
    if (moreList && !moreList.querySelector("li")) {
      more.closest("li").remove();  // nothing less-used to show
      more = null;
    }
    function setMenu(open) {
      menu.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) { nav.setAttribute("data-open", ""); } else { nav.removeAttribute("data-open"); }
    }
    function setMore(open) {
      if (!more) return;
      more.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) { nav.setAttribute("data-more-open", ""); } else { nav.removeAttribute("data-more-open"); }
    }
    // A short list (a parent's: their child, its support) stays in view on a phone; a
    // longer one folds behind "Menu" there.
    if (nav.querySelectorAll("#site-nav-list > li:not(.nav-more)").length <= 3) {
      nav.setAttribute("data-open", "");
    } else {
      menu.hidden = false;
      setMenu(false);
    }
    if (more) { more.hidden = false; setMore(false); }
    nav.setAttribute("data-ready", "");
    menu.addEventListener("click", function () {
      setMenu(menu.getAttribute("aria-expanded") !== "true");
    });
    if (!more) return;
    more.addEventListener("click", function () {
      setMore(more.getAttribute("aria-expanded") !== "true");
    });
    // Escape closes "More" and gives focus back to its button; so does a click elsewhere.
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && more.getAttribute("aria-expanded") === "true") {
        setMore(false);
        more.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (!more.closest("li").contains(event.target)) setMore(false);
    });
    // Tabbing past the last item closes the list, so it never covers the focused element.
    more.closest("li").addEventListener("focusout", function (event) {
      if (event.relatedTarget && !more.closest("li").contains(event.relatedTarget)) setMore(false);
    });
  }
  document.addEventListener("DOMContentLoaded", setupNav);

  document.addEventListener("htmx:afterSettle", function (event) {
    // With an outerHTML swap the old target is gone: find its replacement by its id.
    var id = event.detail.target && event.detail.target.id;
    var target = (id && document.getElementById(id)) || event.target;
    if (!target || !target.querySelector) return;
    var announce = target.querySelector("[data-announce]");
    var announcer = document.getElementById("announcer");
    if (announce && announcer) { announcer.textContent = announce.textContent.trim(); }
    if (focusIn(target)) return;
    var active = document.activeElement;
    if (!active || active === document.body || !active.isConnected) {
      var heading = target.querySelector("[data-focus-after-swap]");
      if (heading) heading.focus();
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (field) { event.preventDefault(); field.focus(); field.scrollIntoView({block: "center"}); }
  });

  // The import page: show the upload's progress, as htmx reports the browser's upload events.
  document.addEventListener("htmx:beforeRequest", function () {
    var bar = document.getElementById("import-progress");
    if (bar) { bar.value = 0; bar.textContent = "0%"; }
  });
  document.addEventListener("htmx:xhr:progress", function (event) {
    var bar = document.getElementById("import-progress");
    if (!bar || !event.detail.lengthComputable || !event.detail.total) return;
    var done = Math.round(100 * event.detail.loaded / event.detail.total);
    if (done < bar.value) return;  // the download of the answer reports progress too
    document.getElementById("import-progress-field").hidden = false;
    bar.value = done;
    bar.textContent = done + "%";
  });
})();
