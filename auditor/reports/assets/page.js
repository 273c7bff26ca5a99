(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("auditor-data").textContent);
  var body = document.getElementById("package-rows");
  var filterBox = document.getElementById("filter");
  var statusBox = document.getElementById("status");
  var shown = document.getElementById("shown");
  var special = {"": true, flagged: true, blocking: true, waived: true};
  var bars = Array.prototype.slice.call(document.querySelectorAll("button.bar"));
  var panels = Array.prototype.slice.call(document.querySelectorAll("section.focus"));
  var chosenOrigin = "";

  function cell(row, text, column) {
    var td = document.createElement("td");
    td.className = "col-" + column;
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  // Rows are made when first listed, and at most `limit` matching rows are in the table at once:
  // a 60,000-package page opens at once, and the filter still searches every package.
  var PAGE = 1000;
  var limit = PAGE;
  var more = document.getElementById("more");

  function element(p) {
    var tr = document.createElement("tr");
    tr.className = "status-" + p.status;
    tr.setAttribute("data-status", p.status);
    tr.setAttribute("data-gate", p.gate);
    var name = cell(tr, "", "package");
    if (p.anchor) {
      var link = document.createElement("a");
      link.href = "#" + p.anchor;
      link.textContent = p.nevra;
      name.appendChild(link);
    } else {
      name.textContent = p.nevra;
    }
    var status = cell(tr, "", "status");
    var badge = document.createElement("span");
    badge.className = "badge status-" + p.status;
    badge.textContent = p.status;
    status.appendChild(badge);
    if (p.gate) {
      var flag = document.createElement("span");
      flag.className = "gate gate-" + p.gate;
      flag.textContent = p.gate;
      status.appendChild(document.createTextNode(" "));
      status.appendChild(flag);
    }
    cell(tr, p.why, "why");
    cell(tr, p.vendor, "vendor");
    cell(tr, p.summary, "summary");
    return tr;
  }

  var rows = data.packages.map(function (p) {
    var text = [p.nevra, p.status, p.gate, p.why, p.vendor, p.summary].join("\n").toLowerCase();
    return {element: null, p: p, text: text};
  });

  function keep(row, words, status) {
    // Flagged as the page's "Flagged packages" are: a clean package with a fact ruled on (a gap
    // --strict blocks, one a waiver accepted) is one of them.
    if (status === "flagged" && row.p.status === "clean" && !row.p.gate) { return false; }
    if ((status === "blocking" || status === "waived") && row.p.gate !== status) { return false; }
    if (!special[status] && row.p.status !== status) { return false; }
    for (var i = 0; i < words.length; i++) {
      if (row.text.indexOf(words[i]) < 0) { return false; }
    }
    return true;
  }

  function record() {
    var params = new URLSearchParams();
    if (filterBox.value) { params.set("filter", filterBox.value); }
    if (statusBox.value) { params.set("status", statusBox.value); }
    if (chosenOrigin) { params.set("origin", chosenOrigin); }
    var state = params.toString();
    try {
      history.replaceState(null, "", state ? "#" + state : location.pathname + location.search);
    } catch (error) { /* some browsers refuse history changes on file: pages */ }
  }

  function apply(changed) {
    var words = filterBox.value.toLowerCase().split(/\s+/).filter(Boolean);
    var status = statusBox.value;
    var matching = rows.filter(function (row) { return keep(row, words, status); });
    var listed = matching.slice(0, limit);
    var fragment = document.createDocumentFragment();
    listed.forEach(function (row) {
      if (!row.element) { row.element = element(row.p); }
      fragment.appendChild(row.element);
    });
    body.replaceChildren(fragment);
    if (listed.length < matching.length) {
      shown.textContent = "Showing the first " + listed.length + " of " + matching.length +
        " matching packages (" + rows.length + " in all)";
      more.textContent = "Show " + Math.min(PAGE, matching.length - listed.length) + " more";
      more.hidden = false;
    } else {
      shown.textContent = "Showing " + matching.length + " of " + rows.length + " packages";
      more.hidden = true;
    }
    document.body.setAttribute("data-shown", String(matching.length));
    if (changed) { record(); }
  }

  function refilter() {
    limit = PAGE;
    apply(true);
  }

  // One origin's drawing at a time: the chosen bar's, else the first (the one holding most back).
  function showOrigin(source) {
    var known = bars.some(function (bar) { return bar.getAttribute("data-source") === source; });
    if (!known) {
      chosenOrigin = "";
      source = bars.length ? bars[0].getAttribute("data-source") : "";
    }
    bars.forEach(function (bar) {
      bar.setAttribute("aria-pressed", bar.getAttribute("data-source") === source ? "true" : "false");
    });
    panels.forEach(function (panel) { panel.hidden = panel.getAttribute("data-source") !== source; });
    document.body.setAttribute("data-origin", source);
  }

  bars.forEach(function (bar) {
    bar.addEventListener("click", function () {
      chosenOrigin = bar.getAttribute("data-source");
      showOrigin(chosenOrigin);
      record();
      var panel = document.getElementById(bar.getAttribute("aria-controls"));
      if (panel) { panel.scrollIntoView({block: "nearest"}); }
    });
  });

  function load() {
    var params = new URLSearchParams(location.search);
    var hash = location.hash.slice(1);
    if (hash.indexOf("=") >= 0) {
      new URLSearchParams(hash).forEach(function (value, key) { params.set(key, value); });
    }
    if (params.has("filter")) { filterBox.value = params.get("filter"); }
    if (params.has("status")) { statusBox.value = params.get("status"); }
    if (statusBox.selectedIndex < 0) { statusBox.value = ""; }
    chosenOrigin = params.get("origin") || "";
    showOrigin(chosenOrigin);
    limit = PAGE;
    apply(false);
  }

  filterBox.addEventListener("input", refilter);
  statusBox.addEventListener("change", refilter);
  more.addEventListener("click", function () {
    limit += PAGE;
    apply(false);
  });
  window.addEventListener("hashchange", function () {
    if (location.hash.indexOf("=") >= 0) { load(); }
  });
  load();
  document.documentElement.setAttribute("data-ready", "true");
})();
