// Live views: a page element with data-live="<events URL>" listens to the server's events and
// tells htmx, which fetches the fragment again (the element's data-live-event on the body,
// "incidents-changed" when it names none). A stream that says "ready" listens from then on: the
// element gets data-live-ready, and after a reconnect the fragment is fetched again (what changed
// while it was away). htmx queues a trigger that comes while the element's request is in flight
// on that element, which the outerHTML swap then replaces: the queued request is lost. So a change
// announced during a request (a host finishing just after the fetch began) is fetched again once
// the fragment is in place: `changes` counts announcements, `fetched` what a request covers.
document.addEventListener("DOMContentLoaded", function () {
  var live = document.querySelector("[data-live]");
  if (!live || !window.EventSource || !window.htmx) {
    return;
  }
  var source = new EventSource(live.getAttribute("data-live"));
  var name = live.getAttribute("data-live-event") || "incidents-changed";
  var changes = 0;
  var fetched = 0;
  var isLive = function (elt) {
    return elt && elt.matches && elt.matches("[hx-trigger*='" + name + " from:body']");
  };
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (isLive(event.detail.elt)) {
      fetched = changes;
    }
  });
  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (isLive(event.detail.elt) && changes > fetched) {
      htmx.trigger(document.body, name);
    }
  });
  source.addEventListener("changed", function () {
    changes += 1;
    htmx.trigger(document.body, name);
  });
  source.addEventListener("ready", function () {
    if (live.hasAttribute("data-live-ready")) {
      htmx.trigger(document.body, name);
    }
    live.setAttribute("data-live-ready", "");
  });
  window.addEventListener("pagehide", function () {
    source.close();
  });
});

// A button with data-copy="<input id>" copies that input's value (a webhook URL, a new secret).
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-copy]") : null;
  if (!button) {
    return;
  }
  var input = document.getElementById(button.getAttribute("data-copy"));
  if (!input) {
    return;
  }
  input.select();
  var done = function () {
    button.textContent = "Copied";
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(input.value).then(done, function () {
      document.execCommand("copy");
      done();
    });
  } else {
    document.execCommand("copy");
    done();
  }
});

// A page answering a POST with something shown once (a new secret) puts the settings' own URL in the
// address bar, so that reloading it reads the page again instead of posting the form a second time.
document.addEventListener("DOMContentLoaded", function () {
  var shown = document.querySelector("[data-replace-url]");
  if (shown && window.history.replaceState) {
    window.history.replaceState(null, "", shown.getAttribute("data-replace-url"));
  }
});

// A checkbox with data-masks="<input id>" (a parameter's "sensitive") masks that input while it is
// checked: a secret typed in a new row is hidden before it is saved, not only once the server
// renders it masked. Checked again on load: the browser may restore a checked box on back/forward.
function syncMask(box) {
  var input = document.getElementById(box.getAttribute("data-masks"));
  if (input) {
    input.type = box.checked ? "password" : "text";
    if (box.checked) {
      input.setAttribute("autocomplete", "new-password"); // no password manager offer for a parameter
    } else {
      input.removeAttribute("autocomplete");
    }
  }
}
document.addEventListener("change", function (event) {
  if (event.target.matches && event.target.matches("input[data-masks]")) {
    syncMask(event.target);
  }
});
window.addEventListener("pageshow", function () {
  document.querySelectorAll("input[data-masks]").forEach(syncMask);
});
