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

  // Selects that narrow a following select (street → community → grid): data-narrows="#id".
  document.addEventListener("change", function (event) {
    var target = event.target.getAttribute && event.target.getAttribute("data-clear");
    if (target) {
      document.querySelectorAll(target).forEach(function (el) { el.value = ""; });
    }
  });
})();
