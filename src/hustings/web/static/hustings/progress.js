// A job's progress page follows its job without a timed reload (a page that refreshes
// itself fails WCAG 2.2.1, and moves a screen reader back to the top): every 2 s it asks
// the job's JSON, updates the figures in place (the section is an aria-live region), and
// reloads once when the job has ended, to show its outcome. Without JavaScript the page
// says to reload it.
(function () {
  "use strict";
  var me = document.currentScript;
  var url = me && me.getAttribute("data-url");
  var box = document.querySelector(".job");
  if (!url || !box) {
    return;
  }
  function set(name, text) {
    var el = box.querySelector('[data-job="' + name + '"]');
    if (el) {
      el.textContent = text;
    }
  }
  function tick() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (j) {
        if (j.state === "done" || j.state === "failed") {
          window.location.reload();
          return;
        }
        set("state", j.state === "running" ? "Running" : "Waiting for the worker");
        set("step", j.step ? ": " + j.step : "");
        set("count", j.done + (j.total ? " of " + j.total : ""));
        var bar = box.querySelector("progress");
        if (bar) {
          bar.value = j.percent;
          bar.textContent = j.percent + "%";
        }
        window.setTimeout(tick, 2000);
      })
      .catch(function () { window.setTimeout(tick, 5000); });
  }
  window.setTimeout(tick, 2000);
}());
