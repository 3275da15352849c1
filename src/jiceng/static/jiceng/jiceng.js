/* Jiceng's page behaviour, in one static file: the Content-Security-Policy allows no inline script, no
   inline event handler and no style attribute, so pages mark elements with data-* attributes instead. */
(function () {
  "use strict";

  // <select data-autosubmit>: choosing an option submits its form (the language switcher, pickers).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) { el.form.submit(); }
  });

  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target.closest("[data-confirm], [data-print], [data-history-back], [data-select-on-click]") : null;
    if (!el) { return; }
    // data-confirm="question": the click goes through only when confirmed.
    if (el.hasAttribute("data-confirm") && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      return;
    }
    if (el.hasAttribute("data-print")) { event.preventDefault(); window.print(); }
    if (el.hasAttribute("data-history-back") && window.history.length > 1) { event.preventDefault(); window.history.back(); }
    if (el.hasAttribute("data-select-on-click") && el.select) { el.select(); }
  });

  // data-reveal-target="id": the JSON answer of an htmx request ({id_number, phone}) is shown in that element.
  document.addEventListener("htmx:afterRequest", function (event) {
    var el = event.detail.elt;
    var targetId = el && el.getAttribute && el.getAttribute("data-reveal-target");
    if (!targetId || !event.detail.successful) { return; }
    var answer = JSON.parse(event.detail.xhr.responseText);
    document.getElementById(targetId).textContent = answer.id_number + " · " + answer.phone;
  });

  // Computed geometry (the room calendar): set through the CSS object model, which the policy allows.
  function place(root) {
    root.querySelectorAll("[data-top], [data-height], [data-height-px]").forEach(function (el) {
      if (el.dataset.top) { el.style.top = el.dataset.top + "%"; }
      if (el.dataset.height) { el.style.height = el.dataset.height + "%"; }
      if (el.dataset.heightPx) { el.style.height = el.dataset.heightPx + "px"; }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { place(document); });
  } else {
    place(document);
  }
  document.addEventListener("htmx:afterSettle", function (event) { place(event.detail.elt); });
})();
