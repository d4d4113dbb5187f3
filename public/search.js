// The search page: Pagefind's JS API, driven by the URL (?q=...&kind=...&release=...). Pagefind
// (~50 KB and its index) is loaded only when the reader starts to search, or when the URL already
// asks for results, so the page itself is as light as the others; the filter checkboxes are built
// from the index when the filter panel opens. Results are built with textContent only: excerpts
// keep Pagefind's <mark> highlights and nothing else, model outputs stay text.
(function () {
  "use strict";
  var base = document.documentElement.getAttribute("data-base") || "/";
  var form = document.getElementById("search-form");
  var input = document.getElementById("q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("results");
  var filtersEl = document.getElementById("filters");
  var panel = document.getElementById("filter-panel");
  var area = document.getElementById("results-area");
  if (!form || !input || !status || !list || !filtersEl || !panel || !area) return;
  var LABELS = { kind: "Kind", release: "Release", dataset: "Dataset", family: "Model family" };
  var ORDER = ["kind", "release", "dataset", "family"];
  var KINDS = ["failure", "category", "model", "dataset"];
  var PAGE = 50;
  // pages shown before the failures when no kind is chosen
  var TOP_PAGES = 10;
  var HINT = "Type words or an item id, then Search.";
  var params = new URLSearchParams(window.location.search);
  input.value = params.get("q") || "";
  // the URL's filters, until the checkboxes exist
  var wanted = {};
  params.forEach(function (v, k) {
    if (k !== "q") (wanted[k] = wanted[k] || []).push(v);
  });
  var pagefind = null;
  var filtersState = "none"; // none | loading | built
  var seq = 0;
  var timer = 0;

  // The failure pages are in bundles of their own, listed in pagefind/bundles.json
  // (scripts/site/search-index.ts): merged into the main index before the first search.
  function mergeBundles(pf) {
    return fetch(base + "pagefind/bundles.json")
      .then(function (r) {
        return r.ok ? r.json() : { failures: [] };
      })
      .catch(function () {
        return { failures: [] };
      })
      .then(function (b) {
        return Promise.all(
          (b.failures || []).map(function (dir) {
            return pf.mergeIndex(base + dir, { baseUrl: base });
          })
        );
      });
  }
  function load() {
    if (!pagefind)
      pagefind = import(base + "pagefind/pagefind.js").then(function (pf) {
        return pf
          .options({ baseUrl: base })
          .then(function () {
            return mergeBundles(pf);
          })
          .then(function () {
            return pf;
          });
      });
    return pagefind;
  }
  function unavailable() {
    status.textContent =
      "The search index is not available (it is built by Pagefind after the site). Browse the lists below instead.";
  }

  function decode(s) {
    return s.replace(/&(lt|gt|amp|quot|#39|#x27|apos);/g, function (_, e) {
      return { lt: "<", gt: ">", amp: "&", quot: '"', "#39": "'", "#x27": "'", apos: "'" }[e];
    });
  }
  // Pagefind excerpts are HTML with <mark>; keep the marks, turn everything else into text.
  function renderExcerpt(el, html) {
    var inMark = false;
    String(html || "")
      .split(/(<\/?mark>)/)
      .forEach(function (p) {
        if (p === "<mark>" || p === "</mark>") {
          inMark = p === "<mark>";
          return;
        }
        if (!p) return;
        var text = document.createTextNode(decode(p.replace(/<[^>]*>/g, "")));
        var m = inMark ? document.createElement("mark") : null;
        if (m) m.appendChild(text);
        el.appendChild(m || text);
      });
  }

  function selected() {
    if (filtersState !== "built") return wanted;
    var out = {};
    filtersEl.querySelectorAll("input[type=checkbox]:checked").forEach(function (c) {
      (out[c.name] = out[c.name] || []).push(c.value);
    });
    return out;
  }

  // kinds in reading order (failures first: what most searches are for), other values sorted
  function valuesOf(key, values) {
    return Object.keys(values).sort(function (a, b) {
      if (key === "kind") {
        var i = KINDS.indexOf(a) < 0 ? 99 : KINDS.indexOf(a);
        var j = KINDS.indexOf(b) < 0 ? 99 : KINDS.indexOf(b);
        if (i !== j) return i - j;
      }
      return a < b ? -1 : a > b ? 1 : 0;
    });
  }

  function buildFilters(all) {
    var keys = ORDER.concat(
      Object.keys(all)
        .filter(function (k) {
          return ORDER.indexOf(k) < 0;
        })
        .sort()
    );
    keys.forEach(function (key) {
      var values = all[key];
      if (!values || !Object.keys(values).length) return;
      var fs = document.createElement("fieldset");
      var lg = document.createElement("legend");
      lg.textContent = LABELS[key] || key;
      fs.appendChild(lg);
      valuesOf(key, values).forEach(function (v) {
        var label = document.createElement("label");
        var box = document.createElement("input");
        box.type = "checkbox";
        box.name = key;
        box.value = v;
        box.checked = (wanted[key] || []).indexOf(v) >= 0;
        box.addEventListener("change", update);
        label.appendChild(box);
        label.appendChild(document.createTextNode(" " + v + " (" + values[v] + ")"));
        fs.appendChild(label);
      });
      filtersEl.appendChild(fs);
    });
  }

  function showFilters() {
    if (filtersState !== "none") return;
    filtersState = "loading";
    filtersEl.textContent = "Loading the filters…";
    load()
      .then(function (pf) {
        return pf.filters();
      })
      .then(function (all) {
        filtersEl.replaceChildren();
        buildFilters(all || {});
        filtersState = "built";
      })
      .catch(function () {
        filtersEl.replaceChildren();
        filtersState = "none";
        unavailable();
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

  // badges for kind and release; a failure also says whose output, on which item, in which category
  function resultItem(d) {
    var meta = d.meta || {};
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = d.url;
    a.textContent = meta.title || d.url;
    var line = document.createElement("div");
    line.className = "meta";
    ["kind", "release"].forEach(function (k) {
      if (!meta[k]) return;
      var b = document.createElement("span");
      b.className = "badge";
      b.textContent = (k === "release" ? "release " : "") + meta[k];
      line.appendChild(b);
    });
    var where = [meta.model, meta.item && "item " + meta.item, meta.dataset, meta.category].filter(Boolean);
    if (where.length) line.appendChild(document.createTextNode(where.join(" · ")));
    var p = document.createElement("p");
    renderExcerpt(p, d.excerpt);
    li.appendChild(a);
    li.appendChild(line);
    li.appendChild(p);
    return li;
  }

  function show(search, from, mine) {
    var n = search.results.length;
    return Promise.all(
      search.results.slice(from, from + PAGE).map(function (r) {
        return r.data();
      })
    ).then(function (data) {
      if (mine !== seq) return;
      if (from === 0) list.replaceChildren();
      var old = document.getElementById("more-results");
      if (old) old.remove();
      data.forEach(function (d) {
        list.appendChild(resultItem(d));
      });
      var shown = Math.min(n, from + PAGE);
      status.textContent =
        n === 0
          ? "No result."
          : n + (n === 1 ? " result" : " results") + (shown < n ? " (first " + shown + " shown)" : "") + ".";
      if (shown < n) {
        var more = document.createElement("button");
        more.type = "button";
        more.id = "more-results";
        more.textContent = "Show " + Math.min(PAGE, n - shown) + " more";
        more.addEventListener("click", function () {
          show(search, shown, mine);
        });
        list.after(more);
      }
    });
  }

  function run(q, sel) {
    var mine = ++seq;
    var filters = {};
    Object.keys(sel).forEach(function (k) {
      filters[k] = { any: sel[k] };
    });
    if (!q && !Object.keys(filters).length) {
      status.textContent = HINT;
      list.replaceChildren();
      var old = document.getElementById("more-results");
      if (old) old.remove();
      return;
    }
    // room for the results before they arrive, so nothing below jumps twice
    area.classList.add("active");
    status.textContent = "Searching…";
    load()
      .then(function (pf) {
        if (filters.kind) return pf.search(q || null, { filters: filters });
        // Without a kind chosen: the best atlas pages first, then the single failures, then the rest
        // of the pages. The failures are many, in bundles of their own whose scores do not compare
        // with the pages' (README "The site"), and an item id finds its failures among the first.
        var pages = Object.assign({}, filters, { kind: { any: ["category", "model", "dataset"] } });
        var fails = Object.assign({}, filters, { kind: { any: ["failure"] } });
        return Promise.all([pf.search(q || null, { filters: pages }), pf.search(q || null, { filters: fails })]).then(
          function (both) {
            if (!both[0] || !both[1]) return null;
            var p = both[0].results;
            return { results: p.slice(0, TOP_PAGES).concat(both[1].results, p.slice(TOP_PAGES)) };
          }
        );
      })
      .then(function (search) {
        if (mine === seq && search) return show(search, 0, mine);
      })
      .catch(unavailable);
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    clearTimeout(timer);
    update();
  });
  // results as the reader types, once a word is long enough to mean something
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length === 0 || q.length >= 2) timer = setTimeout(update, 300);
  });
  // start fetching Pagefind as soon as the reader heads for the box
  ["focus", "pointerdown", "keydown"].forEach(function (ev) {
    input.addEventListener(ev, load, { once: true });
  });
  panel.addEventListener("toggle", function () {
    if (panel.open) showFilters();
  });

  var asked = input.value.trim() || Object.keys(wanted).length;
  if (asked) {
    // a search from the URL: on a wide screen the filters show beside the results
    if (window.matchMedia("(min-width: 40rem)").matches || Object.keys(wanted).length) panel.open = true;
    run(input.value.trim(), wanted);
  } else status.textContent = HINT;
})();
