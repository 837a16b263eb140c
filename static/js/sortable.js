// Tables with class "sortable": a header cell with data-sort="num" or "text" becomes a button
// that sorts the rows by that column (again: the other way round). Cells may carry the value to
// sort by in data-value. Without JavaScript the table keeps the order the server sent.
(function () {
  function value(row, index, kind) {
    var cell = row.cells[index];
    var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent.trim();
    if (kind !== "num") return raw;
    var number = parseFloat(raw.replace(",", "."));
    return isNaN(number) ? -Infinity : number;
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (th, index) {
      var kind = th.getAttribute("data-sort");
      if (!kind) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.innerHTML = th.innerHTML;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = value(a, index, kind), y = value(b, index, kind);
          // Text in the page's language, numbers inside it in number order (KNS-14 before KNS-104).
          var order = kind === "num" ? (x < y ? -1 : x > y ? 1 : 0)
            : x.localeCompare(y, document.documentElement.lang, { numeric: true, sensitivity: "base" });
          return order * (ascending ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
