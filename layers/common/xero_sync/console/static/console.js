/* Progressive enhancement for the integration console. Every page works without this script;
   it only narrows the tax-rate lists as a rate is typed, waits for Xero's consent in another
   tab, and refreshes the "Sync now" progress. Served from 'self' (no inline script: the CSP
   forbids it). */
(function () {
  "use strict";

  function sameRate(a, b) {
    return Math.abs(a - b) < 0.00005; // rates are compared to four places, as the service does
  }

  function narrowRates(row, all, differsText) {
    var input = row.querySelector(".host-rate");
    var rate = parseFloat((input.value || "").replace(",", "."));
    row.querySelectorAll(".rate-select").forEach(function (select) {
      var chosen = select.value;
      var blank = select.getAttribute("data-blank");
      select.innerHTML = "";
      var first = document.createElement("option");
      first.value = "";
      first.textContent = blank;
      select.appendChild(first);
      var kept = false;
      all.forEach(function (option) {
        var optionRate = parseFloat(option.getAttribute("data-rate"));
        if (isNaN(rate) || sameRate(rate, optionRate)) {
          var copy = option.cloneNode(true);
          if (copy.value === chosen) { copy.selected = true; kept = true; }
          select.appendChild(copy);
        }
      });
      if (chosen && !kept) { // keep the admin's choice visible: the service says why it does not fit
        var differs = document.createElement("option");
        differs.value = chosen;
        differs.textContent = chosen + " · " + differsText;
        differs.selected = true;
        select.appendChild(differs);
      }
    });
  }

  function setUpTaxRows() {
    var template = document.getElementById("all-rates");
    if (!template) { return; }
    var all = Array.prototype.slice.call(template.content.querySelectorAll("option"));
    var differs = document.getElementById("rate-differs-text");
    var differsText = differs ? differs.content.textContent.trim() : "";
    document.querySelectorAll(".tax-row").forEach(function (row) {
      var input = row.querySelector(".host-rate");
      if (input) {
        input.addEventListener("input", function () { narrowRates(row, all, differsText); });
      }
    });
  }

  function poll(url, every, onAnswer) {
    function again() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) { if (body === null || onAnswer(body) !== false) { setTimeout(again, every); } })
        .catch(function () { setTimeout(again, every); });
    }
    setTimeout(again, every);
  }

  function setUpConsentWait() {
    var wait = document.getElementById("consent-wait");
    if (!wait) { return; }
    var before = wait.getAttribute("data-status");
    poll(wait.getAttribute("data-status-url"), 3000, function (body) {
      if (body.status !== before) { window.location.assign(wait.getAttribute("data-done-url")); return false; }
      return true;
    });
  }

  function setUpSyncProgress() {
    var box = document.getElementById("sync-progress");
    if (!box || !box.getAttribute("data-enqueued")) { return; }
    var enqueued = parseInt(box.getAttribute("data-enqueued"), 10);
    var text = document.getElementById("progress-text");
    var bar = document.getElementById("progress-bar");
    poll(box.getAttribute("data-progress-url"), 2000, function (body) {
      text.textContent = box.getAttribute("data-text")
        .replace("{outstanding}", body.outstanding).replace("{failed}", body.failed);
      if (bar) { bar.value = Math.max(enqueued - body.outstanding, 0); }
      if (body.outstanding === 0) {
        text.textContent += " " + box.getAttribute("data-finished");
        box.setAttribute("data-finished-at", String(Date.now()));
        return false;
      }
      return true;
    });
  }

  function setUpCustomFields() {
    document.querySelectorAll(".source-select").forEach(function (select) {
      var custom = document.getElementById(select.id + "-custom");
      if (!custom) { return; }
      function update() { custom.disabled = select.value !== "__custom__"; }
      select.addEventListener("change", update);
      update();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpTaxRows();
    setUpConsentWait();
    setUpSyncProgress();
    setUpCustomFields();
  });
})();
