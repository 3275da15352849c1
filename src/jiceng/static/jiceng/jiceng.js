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

  // <select data-chooser="/choices/place/?kinds=street">: a list filter chosen by name. The select keeps the
  // id (the query parameter is unchanged) and is hidden; a search box before it asks the endpoint, which answers
  // only with names in the user's scope (core/choosers.py), and choosing a name puts its id in the select.
  var chooserCount = 0;
  function chooser(select) {
    var url = select.getAttribute("data-chooser");
    var all = select.getAttribute("data-chooser-all") || "";
    var listId = "chooser-list-" + (++chooserCount);
    var wrap = document.createElement("div");
    wrap.className = "chooser position-relative";
    var input = document.createElement("input");
    input.type = "search";
    input.className = "form-control";
    input.autocomplete = "off";
    input.placeholder = all + " · " + (select.getAttribute("data-chooser-placeholder") || "");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("data-chooser-input", select.name);
    // The page's <label for> now names the search box; the select keeps the value.
    input.id = select.id;
    select.id = select.id + "_value";
    var list = document.createElement("ul");
    list.className = "dropdown-menu chooser-menu w-100";
    list.id = listId;
    list.setAttribute("role", "listbox");
    select.parentNode.insertBefore(wrap, select);
    wrap.appendChild(input);
    wrap.appendChild(list);
    wrap.appendChild(select);
    select.classList.add("d-none");
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    var chosen = select.selectedIndex > 0 ? select.options[select.selectedIndex].text : "";
    input.value = chosen;
    var timer = null, active = -1, asked = "";

    function open(show) {
      list.classList.toggle("show", show);
      input.setAttribute("aria-expanded", show ? "true" : "false");
      if (!show) { active = -1; input.removeAttribute("aria-activedescendant"); }
    }
    function choose(id, label) {
      select.textContent = "";
      select.add(new Option(all, ""));
      if (id) { select.add(new Option(label, id, true, true)); }
      select.value = id;
      chosen = id ? label : "";
      input.value = chosen;
      open(false);
    }
    function highlight(index) {
      var items = list.querySelectorAll("[role=option]");
      if (!items.length) { return; }
      active = (index + items.length) % items.length;
      items.forEach(function (item, i) { item.classList.toggle("active", i === active); });
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }
    function show(results) {
      list.textContent = "";
      if (!results.length) {
        var none = document.createElement("li");
        none.className = "dropdown-item-text text-secondary";
        none.textContent = select.getAttribute("data-chooser-empty") || "";
        list.appendChild(none);
      }
      results.forEach(function (result, i) {
        var item = document.createElement("li");
        item.className = "dropdown-item";
        item.id = listId + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("data-id", result.id);
        item.textContent = result.label;
        list.appendChild(item);
      });
      open(true);
    }
    function ask() {
      var text = input.value.trim();
      asked = text;
      var sep = url.indexOf("?") >= 0 ? "&" : "?";
      fetch(url + sep + "q=" + encodeURIComponent(text), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (answer) {
          // Only the answer to what the box says now: an earlier, slower answer is dropped.
          if (asked === text && input.value.trim() === text && document.activeElement === input) { show(answer.results); }
        })
        .catch(function () { open(false); });
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      // What the list shows answers the text before this keystroke: it goes until the new answer comes.
      list.textContent = "";
      open(false);
      if (!input.value.trim()) { choose("", ""); }
      timer = window.setTimeout(ask, 200);
    });
    input.addEventListener("focus", ask);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); if (!list.classList.contains("show")) { ask(); } else { highlight(active + 1); } }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
      else if (event.key === "Escape") { open(false); input.value = chosen; }
      else if (event.key === "Enter" && list.classList.contains("show") && active >= 0) {
        event.preventDefault();
        var item = list.querySelectorAll("[role=option]")[active];
        choose(item.getAttribute("data-id"), item.textContent);
      }
    });
    // mousedown, not click: it comes before the search box loses focus.
    list.addEventListener("mousedown", function (event) {
      var item = event.target.closest("[role=option]");
      if (!item) { return; }
      event.preventDefault();
      choose(item.getAttribute("data-id"), item.textContent);
    });
    input.addEventListener("blur", function () {
      window.setTimeout(function () {
        open(false);
        if (!input.value.trim()) { choose("", ""); } else { input.value = chosen; }  // half-typed text is not a choice
      }, 150);
    });
  }

  // Computed geometry (the room calendar): set through the CSS object model, which the policy allows.
  function place(root) {
    root.querySelectorAll("[data-top], [data-height], [data-height-px]").forEach(function (el) {
      if (el.dataset.top) { el.style.top = el.dataset.top + "%"; }
      if (el.dataset.height) { el.style.height = el.dataset.height + "%"; }
      if (el.dataset.heightPx) { el.style.height = el.dataset.heightPx + "px"; }
    });
  }
  function start() {
    place(document);
    document.querySelectorAll("select[data-chooser]").forEach(chooser);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  document.addEventListener("htmx:afterSettle", function (event) { place(event.detail.elt); });
})();
