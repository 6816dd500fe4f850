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
