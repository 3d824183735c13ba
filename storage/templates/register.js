// Progressive enhancement for the register tables: without this file every row is listed and
// every link works; with it, the filter form appears and column headers sort.
"use strict";
(function () {
  function cellKey(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    return (cell.getAttribute("data-sort") || cell.textContent).trim().toLowerCase();
  }

  function enhance(table) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return r.cells.length > 1; });
    var form = document.getElementById(table.getAttribute("data-filters"));
    if (form) {
      form.hidden = false;
      var apply = function () {
        var q = form.elements.q.value.trim().toLowerCase();
        var country = form.elements.country.value;
        var relation = form.elements.relation.value;
        var status = form.elements.status.value;
        var shown = 0;
        rows.forEach(function (row) {
          var ok = (!q || row.textContent.toLowerCase().indexOf(q) !== -1) &&
            (!country || row.getAttribute("data-country").split(" ").indexOf(country) !== -1) &&
            (!relation || row.getAttribute("data-relation") === relation) &&
            (!status || row.getAttribute("data-status") === status);
          row.hidden = !ok;
          if (ok) shown += 1;
        });
        form.elements.count.value = String(shown);
      };
      form.addEventListener("input", apply);
      form.addEventListener("change", apply);
      form.addEventListener("submit", function (event) { event.preventDefault(); });
    }
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (other) { other.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        rows.sort(function (a, b) {
          var x = cellKey(a, index), y = cellKey(b, index);
          return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table.register"), enhance);
  });
})();
