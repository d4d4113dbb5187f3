// Small progressive enhancements; every page works without them.
// 1. On a release page, say when a newer release exists (read from the site-wide index, so the
//    release's own HTML never changes). 2. The compare picker navigates to the chosen pair.
// 3. Copy buttons on the citation blocks.
(function () {
  "use strict";
  var html = document.documentElement;
  var base = html.getAttribute("data-base") || "/";
  var release = html.getAttribute("data-release");

  if (release && window.fetch) {
    fetch(base + "releases/index.json")
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (ix) {
        if (!ix || !ix.latest || ix.latest === release) return;
        var ids = ix.releases.map(function (r) {
          return r.id;
        });
        // releases are newest first: only an older page gets the notice
        if (ids.indexOf(release) <= ids.indexOf(ix.latest)) return;
        var latest = ix.releases[ids.indexOf(ix.latest)];
        var el = document.getElementById("newer-release");
        if (!el) return;
        el.textContent = "A newer release exists: ";
        var a = document.createElement("a");
        a.href = base + "releases/" + encodeURIComponent(latest.id) + "/";
        a.textContent = latest.id + " (" + latest.title + ")";
        el.appendChild(a);
        el.appendChild(document.createTextNode(". This page stays as it was for citations."));
        el.hidden = false;
      })
      .catch(function () {});
  }

  var picker = document.getElementById("compare-picker");
  if (picker) {
    picker.addEventListener("submit", function (ev) {
      var sa = picker.elements.namedItem("a");
      var sb = picker.elements.namedItem("b");
      var a = sa.value;
      var b = sb.value;
      // The first model's option lists, as a hex bit set over the options, the models it has a
      // comparison with (those sharing a dataset); a pair's page is <ids sorted, joined by "--">/.
      var bits = sa.options[sa.selectedIndex].getAttribute("data-with") || "";
      var j = sb.selectedIndex;
      var paired = a !== b && (parseInt(bits.charAt(j >> 2) || "0", 16) >> (j & 3)) & 1;
      var target = paired && picker.getAttribute("data-pairs") + (a < b ? a + "--" + b : b + "--" + a) + "/";
      var msg = document.getElementById("compare-msg");
      ev.preventDefault();
      if (target) window.location.href = target;
      else if (msg)
        msg.textContent =
          a === b ? "Pick two different models." : "These two models share no dataset, so there is no comparison.";
    });
  }

  if (navigator.clipboard) {
    document.querySelectorAll("pre[data-copy]").forEach(function (pre) {
      var btn = document.createElement("button");
      btn.type = "button";
      btn.className = "copy-btn";
      btn.textContent = "Copy";
      btn.addEventListener("click", function () {
        navigator.clipboard.writeText(pre.textContent || "").then(function () {
          btn.textContent = "Copied";
        });
      });
      var label = pre.previousElementSibling;
      if (label) label.appendChild(btn);
    });
  }
})();
