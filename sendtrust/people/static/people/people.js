// GOV.UK pattern: when a form comes back with errors, the summary at the top takes focus so
// that a screen reader announces it and a keyboard user starts from the list of problems.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
});
