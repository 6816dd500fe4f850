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

  // Charts: <div class="chart" data-chart="id-of-json-script"> draws the ECharts option kept in
  // <script type="application/json" id="…"> (written by json_script, so no data is ever executed).
  // Drawn again (a refreshed wall screen), a chart takes the new option in place.
  var wall = document.documentElement.classList.contains("wall");

  function drawCharts(root) {
    if (!window.echarts) { return; }
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) { return; }
      var option = JSON.parse(source.textContent);
      var chart = window.echarts.getInstanceByDom(el);
      if (!chart) {
        // On the wall screen (大屏) charts take ECharts' dark theme on the page's own background.
        // SVG: crisp at any size (a 4K wall), and its text is text.
        chart = window.echarts.init(el, wall ? "dark" : null, { renderer: "svg" });
        // A data item with a `url` is a link: a click opens the cases behind the figure.
        chart.on("click", function (params) {
          if (params.data && params.data.url) { window.location.href = params.data.url; }
        });
        // data-drawn: the chart has finished drawing (its animation too), for whoever waits for it
        chart.on("finished", function () { el.setAttribute("data-drawn", ""); });
        window.addEventListener("resize", function () {
          if (wall) { chart.setOption(wallSized(chart.getOption())); }
          chart.resize();
        });
      }
      chart.setOption(wall ? wallSized(option) : option, { replaceMerge: ["series"] });
    });
  }

  // A wall screen's type grows with the screen (wall.css sizes the root by the screen's height):
  // the charts' text, legend and margins follow the root's size, which ECharts cannot read itself.
  function wallSized(option) {
    var base = parseFloat(window.getComputedStyle(document.documentElement).fontSize) || 16;
    var text = { fontSize: Math.round(base * 0.85) };
    function each(value, fn) {
      if (value) { (Array.isArray(value) ? value : [value]).forEach(fn); }
    }
    each(option.xAxis, function (axis) { axis.axisLabel = Object.assign({}, axis.axisLabel, text); });
    each(option.yAxis, function (axis) { axis.axisLabel = Object.assign({}, axis.axisLabel, text); });
    each(option.legend, function (legend) {
      legend.textStyle = Object.assign({}, legend.textStyle, text);
      legend.itemWidth = Math.round(base * 1.3);
      legend.itemHeight = Math.round(base * 0.75);
    });
    each(option.tooltip, function (tooltip) { tooltip.textStyle = Object.assign({}, tooltip.textStyle, text); });
    each(option.grid, function (grid) { grid.top = option.legend ? Math.round(base * 2.2) : grid.top; });
    each(option.series, function (series) {
      series.label = Object.assign({}, series.label, text);
      if (series.type === "line") {
        series.lineStyle = Object.assign({}, series.lineStyle, { width: Math.max(2, Math.round(base / 8)) });
        series.symbolSize = Math.round(base * 0.4);
      }
    });
    option.backgroundColor = "transparent";
    return option;
  }

  // Lists that must fit their box ([data-fit="top {shown} of {all}"], e.g. a wall screen's panels):
  // the rows ([data-fit-item]) that do not fit whole are hidden, and the panel's [data-fit-note] says
  // how many are shown. Nothing is cut in half, whatever the screen or the data.
  function fitLists(root) {
    (root || document).querySelectorAll("[data-fit]").forEach(function (box) {
      var items = Array.prototype.slice.call(box.querySelectorAll("[data-fit-item]"));
      items.forEach(function (item) { item.hidden = false; });
      var shown = items.length;
      while (shown > 0 && box.scrollHeight > box.clientHeight + 1) {
        shown -= 1;
        items[shown].hidden = true;
      }
      var panel = box.closest("section") || box.parentNode;
      var note = panel.querySelector("[data-fit-note]");
      if (note) {
        note.textContent = shown < items.length
          ? box.getAttribute("data-fit").replace("{shown}", shown).replace("{all}", items.length)
          : "";
      }
    });
  }

  // A table too long for its box ([data-pages="page {page} of {pages}"], the wall screen's wall
  // chart) is shown a page of whole rows at a time, each page for data-page-seconds; a group of rows
  // (a <tbody>: a project and its sub-items) stays on one page when it fits one. [data-page-note]
  // says which page is shown. Paged again (new figures, another window size), it stays on its page
  // and keeps its pace, so every page comes round however often the figures are refreshed.
  function pageTables(root) {
    (root || document).querySelectorAll("[data-pages]").forEach(function (box) {
      var rows = Array.prototype.slice.call(box.querySelectorAll("tbody tr"));
      rows.forEach(function (row) { row.hidden = false; });
      var head = box.querySelector("thead");
      var room = box.clientHeight - (head ? head.offsetHeight : 0) - 2;
      var pages = [[]], used = 0;
      box.querySelectorAll("tbody").forEach(function (group) {
        var height = group.offsetHeight;
        if (used > 0 && used + height > room && height <= room) { pages.push([]); used = 0; }
        Array.prototype.slice.call(group.rows).forEach(function (row) {
          if (used > 0 && used + row.offsetHeight > room) { pages.push([]); used = 0; }
          pages[pages.length - 1].push(row);
          used += row.offsetHeight;
        });
      });
      var note = document.querySelector("[data-page-note]");
      box.minyiShow = function (index) {
        var shown = index % pages.length;
        box.setAttribute("data-page", shown);
        rows.forEach(function (row) { row.hidden = pages[shown].indexOf(row) < 0; });
        if (note) {
          note.textContent = pages.length > 1
            ? box.getAttribute("data-pages").replace("{page}", shown + 1).replace("{pages}", pages.length)
            : "";
        }
      };
      box.minyiShow(parseInt(box.getAttribute("data-page"), 10) || 0);
      if (pages.length > 1 && !box.minyiTimer) {
        var seconds = parseInt(box.getAttribute("data-page-seconds"), 10) || 20;
        box.minyiTimer = window.setInterval(function () {
          box.minyiShow((parseInt(box.getAttribute("data-page"), 10) || 0) + 1);
        }, seconds * 1000);
      } else if (pages.length <= 1 && box.minyiTimer) {
        window.clearInterval(box.minyiTimer);
        box.minyiTimer = null;
      }
    });
  }

  // A wall screen (<body data-refresh="seconds">) fetches itself again every so often and swaps in
  // its [data-live] parts and its charts' figures, without the flash of a reload. When the server
  // does not answer (or the session ended), the figures stay and [data-stale] says they are old.
  function refreshWall() {
    var seconds = parseInt(document.body.getAttribute("data-refresh"), 10);
    if (!seconds || !window.fetch) { return; }
    var stale = document.querySelector("[data-stale]");
    window.setInterval(function () {
      window.fetch(window.location.href, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok || response.redirected) { throw new Error("HTTP " + response.status); }
          return response.text();
        })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html");
          var parts = Array.prototype.slice.call(document.querySelectorAll("[data-live]"));
          var news = parts.map(function (part) {
            return fresh.querySelector('[data-live="' + part.getAttribute("data-live") + '"]');
          });
          if (!parts.length || news.indexOf(null) >= 0) { throw new Error("not a wall screen"); }
          parts.forEach(function (part, i) { part.innerHTML = news[i].innerHTML; });
          drawCharts(document);
          fitLists(document);
          pageTables(document);
          if (stale) { stale.hidden = true; }
        })
        .catch(function () { if (stale) { stale.hidden = false; } });
    }, seconds * 1000);
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(function () { fitLists(document); pageTables(document); }, 100);
  });
  document.addEventListener("DOMContentLoaded", function () {
    drawCharts(document);
    fitLists(document);
    pageTables(document);
    refreshWall();
  });
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
