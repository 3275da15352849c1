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

  // <button data-copy-target="id" data-copied="label">: copies that element's value (or text) to the
  // clipboard and says so on the button for two seconds. Without the Clipboard API (plain http, old WebViews)
  // the text is selected so that the person can copy it by hand.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy-target]") : null;
    if (!button) { return; }
    var source = document.getElementById(button.getAttribute("data-copy-target"));
    if (!source) { return; }
    var text = source.value !== undefined ? source.value : source.textContent.trim();
    function done() {
      var label = button.innerHTML;
      button.textContent = button.getAttribute("data-copied") || "OK";
      button.setAttribute("data-copy-done", "");
      window.setTimeout(function () { button.innerHTML = label; button.removeAttribute("data-copy-done"); }, 2000);
    }
    function selectIt() {
      if (source.select) { source.select(); return; }
      var range = document.createRange();
      range.selectNodeContents(source);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, selectIt);
    } else {
      selectIt();
    }
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
