// Live views: a page element with data-live="<events URL>" listens to the server's events and
// tells htmx, which fetches the fragment again (the body gets the event named by data-live-event,
// "incidents-changed" by default).
document.addEventListener("DOMContentLoaded", function () {
  var live = document.querySelector("[data-live]");
  if (!live || !window.EventSource || !window.htmx) {
    return;
  }
  var source = new EventSource(live.getAttribute("data-live"));
  source.addEventListener("changed", function () {
    htmx.trigger(document.body, live.getAttribute("data-live-event") || "incidents-changed");
  });
  window.addEventListener("pagehide", function () {
    source.close();
  });
});
