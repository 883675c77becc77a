// The overview page: fills in the audit verdict, which is computed on first request.
"use strict";
(function () {
  const cell = document.getElementById("audit");
  if (!cell) return;
  const token = document.body.dataset.token;
  const url = cell.dataset.src + (token ? "?token=" + encodeURIComponent(token) : "");
  fetch(url).then((r) => r.json()).then((report) => {
    const findings = report.findings || [];
    const count = (severity) => findings.filter((f) => f.severity === severity).length;
    cell.textContent = report.verdict + " (" + count("error") + " errors, " + count("warning") + " warnings)";
    cell.dataset.verdict = report.verdict;
  }).catch((error) => { cell.textContent = "audit failed: " + error; });
})();
