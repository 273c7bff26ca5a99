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

  var rows = data.packages.map(function (p) {
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
    var text = [p.nevra, p.status, p.gate, p.why, p.vendor, p.summary].join("\n").toLowerCase();
    return {element: tr, p: p, text: text};
  });
  var fragment = document.createDocumentFragment();
  rows.forEach(function (row) { fragment.appendChild(row.element); });
  body.appendChild(fragment);

  function keep(row, words, status) {
    if (status === "flagged" && row.p.status === "clean") { return false; }
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
    var count = 0;
    rows.forEach(function (row) {
      var visible = keep(row, words, status);
      row.element.hidden = !visible;
      if (visible) { count++; }
    });
    shown.textContent = "Showing " + count + " of " + rows.length + " packages";
    document.body.setAttribute("data-shown", String(count));
    if (changed) { record(); }
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
    apply(false);
  }

  filterBox.addEventListener("input", function () { apply(true); });
  statusBox.addEventListener("change", function () { apply(true); });
  window.addEventListener("hashchange", function () {
    if (location.hash.indexOf("=") >= 0) { load(); }
  });
  load();
  document.documentElement.setAttribute("data-ready", "true");
})();
