// minyi: the little plain JavaScript the pages need. htmx does the rest.
(function () {
  "use strict";

  // Keyboard: "/" focuses the page's search box, Alt+N the first field of the page's main form.
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    var typing = tag === "input" || tag === "textarea" || tag === "select";
    if (event.key === "/" && !typing) {
      var search = document.querySelector("main [data-search]") || document.querySelector("[data-search]");
      if (search) { event.preventDefault(); search.focus(); }
    }
    if (event.altKey && (event.key === "n" || event.key === "N")) {
      var first = document.querySelector("[data-autofocus], form.main input:not([type=hidden]), form.main select");
      if (first) { event.preventDefault(); first.focus(); }
    }
  });

  // A form sends once: its submit buttons are disabled while it is on its way. A form with
  // data-confirm="…" asks first (a merge cannot be taken back by the one who clicked).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); return; }
    if (form.hasAttribute("data-allow-resubmit")) { return; }
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) { b.disabled = true; });
    }, 0);
  });

  // Batch actions (批量操作): the row checkboxes (name="cases") belong to the bar's form through
  // form="<its id>"; data-select-all="<its id>" ticks every one of this page; the counter says how
  // many are ticked; only the chosen action's fields are shown (all are, without JavaScript).
  function batchBoxes(formId) {
    return Array.prototype.slice.call(document.querySelectorAll('input[name=cases][form="' + formId + '"]'));
  }
  function refreshBatch() {
    document.querySelectorAll("form[data-batch]").forEach(function (form) {
      var boxes = batchBoxes(form.id);
      var ticked = boxes.filter(function (b) { return b.checked; }).length;
      document.querySelectorAll('[data-select-all="' + form.id + '"]').forEach(function (all) {
        all.checked = boxes.length > 0 && ticked === boxes.length;
        all.indeterminate = ticked > 0 && ticked < boxes.length;
      });
      var counter = form.querySelector("[data-batch-count]");
      if (counter) {
        counter.textContent = counter.getAttribute(ticked ? "data-some" : "data-none").replace("__N__", ticked);
      }
      var chosen = form.querySelector("input[name=operation]:checked, input[type=hidden][name=operation]");
      form.querySelectorAll("[data-batch-fields]").forEach(function (fields) {
        fields.hidden = !chosen || fields.getAttribute("data-batch-fields") !== chosen.value;
      });
    });
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    var all = target.getAttribute && target.getAttribute("data-select-all");
    if (all) {
      batchBoxes(all).forEach(function (b) { b.checked = target.checked; });
    }
    if (all || target.name === "cases" || (target.name === "operation" && target.closest("form[data-batch]"))) {
      refreshBatch();
    }
  });
  document.addEventListener("DOMContentLoaded", refreshBatch);
  document.addEventListener("htmx:afterSwap", refreshBatch);
  window.addEventListener("pageshow", refreshBatch);  // back to a page the browser kept: its ticks

  // Charts: <div class="chart" data-chart="id-of-json-script"> draws the ECharts option kept in
  // <script type="application/json" id="…"> (written by json_script, so no data is ever executed).
  function drawCharts(root) {
    if (!window.echarts) { return; }
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) { return; }
      // On the wall screen (大屏) charts take ECharts' dark theme on the page's own background.
      var dark = document.body.classList.contains("wall");
      var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el, dark ? "dark" : null);
      chart.setOption(JSON.parse(source.textContent));
      if (dark) { chart.setOption({ backgroundColor: "transparent" }); }
      // A data item with a `url` is a link: a click opens the cases behind the figure.
      chart.off("click");
      chart.on("click", function (params) {
        if (params.data && params.data.url) { window.location.href = params.data.url; }
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSwap", function (event) { drawCharts(event.target); });

  // A button that fills a field of its own form: data-fill-name="category" data-fill-value="010101"
  // (the category suggestion's "use" buttons).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-fill-name]");
    if (!button) { return; }
    var form = button.closest("form");
    var field = form && form.querySelector("[name='" + button.getAttribute("data-fill-name") + "']");
    if (field) {
      field.value = button.getAttribute("data-fill-value");
      field.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });

  // The place picker (web/forms.py PlaceSelect): a select grouped street → community, given a
  // filter box when it offers PLACE_FILTER_FROM places or more. What is typed is looked for in each
  // place's words (data-place: its name, the names above it and their pinyin initials, written by
  // the server), so 湖畔 or hp keeps the 湖畔 places; several words must all be found. Places that do
  // not match are taken out of the select (a phone's own picker would show hidden options anyway)
  // and put back, in their order, when the box is emptied; while something is typed the select
  // opens as a list of the matches. The first match is chosen when the chosen place is filtered
  // out, so by keyboard: type, Enter or ↓ to the list (Enter never sends the form from here), ↑↓ to
  // choose, Enter to close the list.
  var PLACE_LIST_ROWS = 8;
  var PLACE_FILTER_FROM = 10;  // places: below this a plain select is quicker than typing

  function placeFits(option, terms) {
    if (!option.value) { return true; }  // the blank choice stays
    var words = ((option.getAttribute("data-place") || "") + " " + option.textContent).toLowerCase();
    return terms.every(function (term) { return words.indexOf(term) !== -1; });
  }

  function enhancePlacePicker(select) {
    if (select.hasAttribute("data-place-ready")) { return; }
    select.setAttribute("data-place-ready", "");
    if (select.querySelectorAll("option[data-place]").length < PLACE_FILTER_FROM) { return; }
    var entries = Array.prototype.map.call(select.children, function (node) {
      return { node: node, options: node.tagName === "OPTGROUP" ? Array.prototype.slice.call(node.children) : null };
    });
    var input = document.createElement("input");
    input.type = "search";
    input.className = "place-filter";
    input.autocomplete = "off";
    input.placeholder = select.getAttribute("data-filter-placeholder") || "";
    input.setAttribute("aria-label", select.getAttribute("data-filter-label") || "");
    input.setAttribute("aria-controls", select.id);
    var status = document.createElement("p");
    status.className = "help place-status";
    status.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(input, select);
    select.parentNode.insertBefore(status, select.nextSibling);
    var rows = 0;  // the rows the matches take in a list (their groups' labels too); 0: none typed

    function showList(open) {
      if (open && rows) {
        select.size = Math.min(Math.max(rows, 2), PLACE_LIST_ROWS);
        select.classList.add("place-list");
      } else {
        select.removeAttribute("size");
        select.classList.remove("place-list");
      }
    }

    function filter() {
      var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var previous = select.value, kept = [], groups = 0;
      select.textContent = "";
      entries.forEach(function (entry) {
        if (!entry.options) {
          if (placeFits(entry.node, terms)) { select.appendChild(entry.node); kept.push(entry.node); }
          return;
        }
        entry.node.textContent = "";
        entry.options.forEach(function (option) {
          if (placeFits(option, terms)) { entry.node.appendChild(option); kept.push(option); }
        });
        if (entry.node.children.length) { select.appendChild(entry.node); groups += 1; }
      });
      var places = kept.filter(function (option) { return option.value; });
      var stays = kept.some(function (option) { return option.value === previous; });
      select.value = stays && (previous || !terms.length) ? previous : (terms.length && places.length ? places[0].value : "");
      status.textContent = terms.length && !places.length
        ? (select.getAttribute("data-no-match") || "").replace("%s", input.value.trim()) : "";
      rows = terms.length && places.length ? kept.length + groups : 0;
      showList(true);
      if (select.value !== previous) { select.dispatchEvent(new Event("change", { bubbles: true })); }
    }
    input.addEventListener("input", filter);
    input.addEventListener("focus", function () { showList(true); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === "ArrowDown") { event.preventDefault(); select.focus(); }
      if (event.key === "Escape" && input.value) { event.preventDefault(); input.value = ""; filter(); }
    });
    select.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && select.classList.contains("place-list")) { event.preventDefault(); showList(false); }
    });
    select.addEventListener("blur", function (event) {
      if (event.relatedTarget !== input) { showList(false); }
    });
  }
  function enhancePlacePickers(root) {
    (root || document).querySelectorAll("select[data-place-picker]").forEach(enhancePlacePicker);
  }
  document.addEventListener("DOMContentLoaded", function () { enhancePlacePickers(document); });
  document.addEventListener("htmx:afterSwap", function (event) { enhancePlacePickers(event.target); });

  // Selects that narrow a following select (street → community → grid): data-narrows="#id".
  document.addEventListener("change", function (event) {
    var target = event.target.getAttribute && event.target.getAttribute("data-clear");
    if (target) {
      document.querySelectorAll(target).forEach(function (el) { el.value = ""; });
    }
  });
})();
