// The search page: Pagefind's JS API, driven by the URL (?q=...&kind=...&release=...), with
// filter checkboxes built from the index. Results are built with textContent only: excerpts keep
// Pagefind's <mark> highlights and nothing else.
(function () {
  "use strict";
  var base = document.documentElement.getAttribute("data-base") || "/";
  var form = document.getElementById("search-form");
  var input = document.getElementById("q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("results");
  var filtersEl = document.getElementById("filters");
  if (!form || !input || !status || !list || !filtersEl) return;
  var LABELS = { kind: "Kind", release: "Release", dataset: "Dataset", family: "Model family" };
  var ORDER = ["kind", "release", "dataset", "family"];
  var params = new URLSearchParams(window.location.search);
  input.value = params.get("q") || "";
  var pagefind = null;
  var seq = 0;

  function decode(s) {
    return s.replace(/&(lt|gt|amp|quot|#39|#x27|apos);/g, function (_, e) {
      return { lt: "<", gt: ">", amp: "&", quot: '"', "#39": "'", "#x27": "'", apos: "'" }[e];
    });
  }
  // Pagefind excerpts are HTML with <mark>; keep the marks, turn everything else into text.
  function renderExcerpt(el, html) {
    var parts = String(html || "").split(/(<\/?mark>)/);
    var inMark = false;
    parts.forEach(function (p) {
      if (p === "<mark>") {
        inMark = true;
        return;
      }
      if (p === "</mark>") {
        inMark = false;
        return;
      }
      if (!p) return;
      var text = document.createTextNode(decode(p.replace(/<[^>]*>/g, "")));
      if (inMark) {
        var m = document.createElement("mark");
        m.appendChild(text);
        el.appendChild(m);
      } else el.appendChild(text);
    });
  }

  function selected() {
    var out = {};
    filtersEl.querySelectorAll("input[type=checkbox]:checked").forEach(function (c) {
      (out[c.name] = out[c.name] || []).push(c.value);
    });
    return out;
  }

  function buildFilters(all) {
    ORDER.concat(
      Object.keys(all).filter(function (k) {
        return ORDER.indexOf(k) < 0;
      })
    ).forEach(function (key) {
      var values = all[key];
      if (!values || !Object.keys(values).length) return;
      var fs = document.createElement("fieldset");
      var lg = document.createElement("legend");
      lg.textContent = LABELS[key] || key;
      fs.appendChild(lg);
      Object.keys(values)
        .sort()
        .forEach(function (v) {
          var label = document.createElement("label");
          var box = document.createElement("input");
          box.type = "checkbox";
          box.name = key;
          box.value = v;
          box.checked = params.getAll(key).indexOf(v) >= 0;
          box.addEventListener("change", function () {
            update();
          });
          label.appendChild(box);
          label.appendChild(document.createTextNode(" " + v + " (" + values[v] + ")"));
          fs.appendChild(label);
        });
      filtersEl.appendChild(fs);
    });
  }

  function update() {
    var q = input.value.trim();
    var sel = selected();
    var url = new URLSearchParams();
    if (q) url.set("q", q);
    Object.keys(sel).forEach(function (k) {
      sel[k].forEach(function (v) {
        url.append(k, v);
      });
    });
    window.history.replaceState(null, "", window.location.pathname + (url.toString() ? "?" + url.toString() : ""));
    run(q, sel);
  }

  function run(q, sel) {
    var mine = ++seq;
    var filters = {};
    Object.keys(sel).forEach(function (k) {
      filters[k] = { any: sel[k] };
    });
    if (!q && !Object.keys(filters).length) {
      status.textContent = "Type a word, or pick a filter.";
      list.replaceChildren();
      return;
    }
    status.textContent = "Searching…";
    pagefind
      .search(q || null, { filters: filters })
      .then(function (search) {
        if (mine !== seq) return null;
        var n = search.results.length;
        return Promise.all(
          search.results.slice(0, 50).map(function (r) {
            return r.data();
          })
        ).then(function (data) {
          if (mine !== seq) return;
          list.replaceChildren();
          status.textContent =
            n === 0 ? "No result." : n + (n === 1 ? " result" : " results") + (n > 50 ? " (first 50 shown)" : "") + ".";
          data.forEach(function (d) {
            var li = document.createElement("li");
            var a = document.createElement("a");
            a.href = d.url;
            a.textContent = (d.meta && d.meta.title) || d.url;
            var meta = document.createElement("div");
            meta.className = "meta";
            ["kind", "release"].forEach(function (k) {
              if (d.meta && d.meta[k]) {
                var b = document.createElement("span");
                b.className = "badge";
                b.textContent = (k === "release" ? "release " : "") + d.meta[k];
                meta.appendChild(b);
              }
            });
            var p = document.createElement("p");
            renderExcerpt(p, d.excerpt);
            li.appendChild(a);
            li.appendChild(meta);
            li.appendChild(p);
            list.appendChild(li);
          });
        });
      })
      .catch(function (e) {
        status.textContent = "Search failed: " + e;
      });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    update();
  });
  import(base + "pagefind/pagefind.js")
    .then(function (pf) {
      pagefind = pf;
      return pf.options({ baseUrl: base }).then(function () {
        return pf.filters();
      });
    })
    .then(function (all) {
      buildFilters(all || {});
      run(input.value.trim(), selected());
    })
    .catch(function () {
      status.textContent =
        "The search index is not available (it is built by Pagefind after the site). Browse the lists below instead.";
    });
})();
