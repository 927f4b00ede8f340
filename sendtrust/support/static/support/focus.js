// The GOV.UK error summary takes focus when a refused form comes back, so a screen reader
// announces it and a keyboard user starts from it (autofocus alone is not honoured everywhere).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary[data-autofocus]");
  if (summary) { summary.focus(); }
});
