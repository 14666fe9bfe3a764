// Small progressive enhancements; every page works without this file.
"use strict";
document.addEventListener("submit", (event) => {
  const form = event.target;
  // Forms that change something important ask once before they go.
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  // A second tap on a slow connection must not submit twice.
  for (const button of form.querySelectorAll("button[type=submit]")) {
    window.setTimeout(() => { button.disabled = true; }, 0);
  }
});
