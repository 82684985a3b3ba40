/* INS pages: instant checks on the filing form (ID check digit, ICD-10 lookup) and keyboard
 * review in the queue. The server checks everything again; this only saves a round trip. */
(function () {
  "use strict";
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";

  function idProblem(value) {
    value = value.trim().toUpperCase();
    if (!/^[1-9]\d{16}[\dX]$/.test(value)) return "18";
    var sum = 0;
    for (var i = 0; i < 17; i++) sum += parseInt(value[i], 10) * WEIGHTS[i];
    return CHECK[sum % 11] === value[17] ? "" : "check";
  }

  function setupForm(form) {
    var id = form.querySelector("[data-idcard]");
    var idMessage = form.querySelector("[data-idcard-message]");
    var birth = form.querySelector("#f-birth_date");
    var sex = form.querySelector("#f-sex");
    id.addEventListener("input", function () {
      var problem = id.value.length >= 18 ? idProblem(id.value) : "";
      id.setAttribute("aria-invalid", problem ? "true" : "false");
      idMessage.textContent = problem ? (document.documentElement.lang.indexOf("en") === 0 ? "The ID number's check digit is wrong." : "身份证号码校验位错误。") : "";
      if (!problem && id.value.length === 18) {
        var v = id.value;
        if (birth && !birth.value) birth.value = v.slice(6, 10) + "-" + v.slice(10, 12) + "-" + v.slice(12, 14);
        if (sex) sex.value = parseInt(v[16], 10) % 2 ? "male" : "female";
      }
    });
    var icd = form.querySelector("[data-icd10]");
    var list = document.getElementById("icd10-options");
    var name = form.querySelector("[data-icd10-name]");
    var timer = null;
    icd.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch(form.dataset.diagnosesUrl + "?q=" + encodeURIComponent(icd.value), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (rows) {
            list.innerHTML = "";
            name.textContent = "";
            rows.forEach(function (row) {
              var option = document.createElement("option");
              option.value = row.code;
              option.label = row.code + " " + row.name;
              list.appendChild(option);
              if (row.code === icd.value.trim().toUpperCase()) name.textContent = row.name;
            });
          });
      }, 200);
    });
  }

  function setupQueue(table) {
    var rows = Array.prototype.slice.call(table.querySelectorAll("tr[data-row]"));
    if (rows.length) rows[0].focus();
    table.addEventListener("keydown", function (event) {
      var row = event.target.closest("tr[data-row]");
      if (!row || event.target.matches("input, select, textarea, button")) return;
      var index = rows.indexOf(row);
      if (event.key === "j" || event.key === "ArrowDown") { (rows[index + 1] || row).focus(); event.preventDefault(); }
      else if (event.key === "k" || event.key === "ArrowUp") { (rows[index - 1] || row).focus(); event.preventDefault(); }
      else if (event.key === "Enter") { location.href = row.dataset.open; }
      else if (event.key === "a") { var form = document.getElementById("approve-" + row.dataset.approve.split("/").slice(-3, -2)[0]); if (form) form.submit(); }
      else if (event.key === "x") { var box = row.querySelector("input[type=checkbox]"); if (box) box.checked = !box.checked; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.filing-form");
    if (form) setupForm(form);
    var table = document.querySelector("table[data-queue]");
    if (table) setupQueue(table);
  });
})();
