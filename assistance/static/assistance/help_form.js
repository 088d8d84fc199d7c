/* The help-request form (public page and back office).

   Item rows of a help request (templates/assistance/_item_rows.html): "+ add another item"
   copies the empty-row template and raises TOTAL_FORMS; "Remove" takes a row out and numbers the
   rest again, so the formset's indexes stay 0..n-1. Without JavaScript the add button submits
   the form and the server adds the row. Each change is announced in the live region and focus
   goes where the user will act next. */
(function () {
  "use strict";

  function setUp(box) {
    var prefix = box.getAttribute("data-prefix");
    var max = parseInt(box.getAttribute("data-max"), 10);
    var total = box.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var list = box.querySelector("[data-rows]");
    var template = box.querySelector("template[data-row-template]");
    var add = box.querySelector("[data-add-row]");
    var status = box.querySelector("[data-row-status]");
    var index = new RegExp("^(id_)?" + prefix + "-(\\d+|__prefix__)-");
    if (!total || !list || !template || !add) return;

    function rows() {
      return list.querySelectorAll("[data-item-row]");
    }

    function say(text) {
      // Emptied first so the same sentence twice in a row is read again.
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }

    function renumber() {
      var all = rows();
      Array.prototype.forEach.call(all, function (row, i) {
        row.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (el) {
          ["name", "id", "for"].forEach(function (attr) {
            var value = el.getAttribute(attr);
            if (value) el.setAttribute(attr, value.replace(index, "$1" + prefix + "-" + i + "-"));
          });
          var described = el.getAttribute("aria-describedby");
          if (described) {
            el.setAttribute("aria-describedby", described.split(" ").map(function (id) {
              return id.replace(index, "$1" + prefix + "-" + i + "-");
            }).join(" "));
          }
        });
        row.querySelectorAll("[data-row-number]").forEach(function (el) {
          el.textContent = String(i + 1);
        });
        var remove = row.querySelector("[data-remove-row]");
        if (remove) remove.hidden = all.length < 2;
      });
      total.value = String(all.length);
      add.hidden = all.length >= max;
    }

    add.addEventListener("click", function (event) {
      event.preventDefault();
      var count = rows().length;
      if (count >= max) {
        say(box.getAttribute("data-full"));
        return;
      }
      var holder = document.createElement("div");
      holder.innerHTML = template.innerHTML
        .replace(/__prefix__/g, String(count))
        .replace(/__number__/g, String(count + 1))
        .trim();
      var row = holder.firstElementChild;
      list.appendChild(row);
      renumber();
      var first = row.querySelector("select, input, textarea");
      if (first) first.focus();
      say(box.getAttribute("data-added").replace("__number__", String(count + 1)));
      if (add.hidden) say(box.getAttribute("data-full"));
    });

    list.addEventListener("click", function (event) {
      var remove = event.target.closest("[data-remove-row]");
      if (!remove) return;
      var row = remove.closest("[data-item-row]");
      var next = row.nextElementSibling || row.previousElementSibling;
      row.parentNode.removeChild(row);
      renumber();
      var target = next && next.querySelector("select, input, textarea");
      (target || add).focus();
      say(box.getAttribute("data-removed"));
    });

    renumber();
  }

  document.querySelectorAll("[data-item-rows]").forEach(setUp);

  // Error summary: read first, and each link puts focus in its field (a plain #fragment only
  // scrolls), with the field's label in view.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      var label = document.querySelector("label[for='" + field.id + "']");
      (label || field).scrollIntoView({block: "start"});
      field.focus({preventScroll: true});
    });
  }
})();
