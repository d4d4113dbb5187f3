// Paging and filters for the failure lists of category, model and dataset pages
// (src/components/FailureList.astro). The first page is in the HTML; the rest comes from the list's
// chunk files, <page>failures/<n>.json (src/lib/site/lists.ts: rows are indexes into the chunk's
// dictionaries). Titles, ids and names are untrusted: they go in through textContent only.
// The state is kept in the address (?model=…&page=2), so a filtered list can be linked to.
(function () {
  "use strict";
  var base = document.documentElement.getAttribute("data-base") || "/";
  var DIMS = ["model", "dataset", "category"];
  var fmt = function (n) {
    return n.toLocaleString("en-US");
  };

  function el(tag, text) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function setup(root) {
    var src = root.getAttribute("data-src");
    var size = Number(root.getAttribute("data-page-size")) || 50;
    var total = Number(root.getAttribute("data-total")) || 0;
    var show = (root.getAttribute("data-show") || "").split(" ");
    var ol = root.querySelector(".fl-rows");
    var status = root.querySelector("[data-status]");
    var pageLabel = root.querySelector("[data-page]");
    var prev = root.querySelector("[data-prev]");
    var next = root.querySelector("[data-next]");
    var selects = {};
    root.querySelectorAll("select[data-dim]").forEach(function (s) {
      selects[s.getAttribute("data-dim")] = s;
    });
    var rows = []; // the rows of the chunks loaded so far, in list order
    var loaded = 0;
    var parts = null;
    var state = { page: 0, filter: {} };
    var queue = Promise.resolve();

    function decode(c) {
      c.rows.forEach(function (r) {
        var m = c.models[r[1]];
        var d = c.datasets[r[2]];
        var url = c.url
          .split("{d}")
          .join(encodeURIComponent(d[0]))
          .split("{m}")
          .join(encodeURIComponent(m[0]))
          .split("{i}")
          .join(r.length > 5 ? r[5] : r[4]);
        rows.push({
          title: c.titles[r[0]],
          model: m,
          dataset: d,
          category: c.categories[r[3]],
          id: r[4],
          url: base + url,
        });
      });
    }

    function fetchPart(n) {
      return fetch(src + n + ".json").then(function (res) {
        if (!res.ok) throw new Error(res.status + " " + res.statusText);
        return res.json();
      });
    }

    // Chunks in order until `n` rows are there (all of them for Infinity): the first says how many there are.
    function loadUntil(n) {
      if (rows.length >= n || (parts !== null && loaded >= parts)) return Promise.resolve();
      if (parts !== null && n === Infinity) {
        var rest = [];
        for (var i = loaded + 1; i <= parts; i++) rest.push(fetchPart(i));
        return Promise.all(rest).then(function (cs) {
          cs.forEach(decode);
          loaded = parts;
        });
      }
      return fetchPart(loaded + 1).then(function (c) {
        parts = c.parts;
        loaded++;
        decode(c);
        return loadUntil(n);
      });
    }

    function item(r) {
      var li = el("li");
      var a = el("a", r.title);
      a.href = r.url;
      var meta = el("span");
      meta.className = "fl-meta";
      if (show.indexOf("model") >= 0) meta.appendChild(el("span", r.model[1]));
      if (show.indexOf("dataset") >= 0) meta.appendChild(el("span", r.dataset[1]));
      meta.appendChild(el("span")).appendChild(el("code", r.id));
      if (show.indexOf("category") >= 0) meta.appendChild(el("span", r.category[1]));
      li.appendChild(a);
      li.appendChild(meta);
      return li;
    }

    function filtering() {
      return DIMS.some(function (d) {
        return state.filter[d];
      });
    }

    function matches(r) {
      return DIMS.every(function (d) {
        return !state.filter[d] || r[d][0] === state.filter[d];
      });
    }

    function remember() {
      var q = new URLSearchParams(location.search);
      DIMS.forEach(function (d) {
        if (state.filter[d]) q.set(d, state.filter[d]);
        else q.delete(d);
      });
      if (state.page > 0) q.set("page", String(state.page + 1));
      else q.delete("page");
      var s = q.toString();
      history.replaceState(null, "", location.pathname + (s ? "?" + s : "") + location.hash);
    }

    function paint(list, n) {
      var pages = Math.max(1, Math.ceil(n / size));
      if (state.page >= pages) state.page = pages - 1;
      var start = state.page * size;
      var slice = list.slice(start, start + size);
      ol.replaceChildren.apply(ol, slice.map(item));
      ol.start = start + 1;
      status.textContent = n
        ? "Showing " + fmt(start + 1) + "–" + fmt(start + slice.length) + " of " + fmt(n)
        : "No failure matches these filters";
      if (filtering()) status.textContent += " (filtered from " + fmt(total) + ")";
      if (pageLabel) pageLabel.textContent = "Page " + fmt(state.page + 1) + " of " + fmt(pages);
      if (prev) prev.disabled = state.page === 0;
      if (next) next.disabled = state.page >= pages - 1;
    }

    function render() {
      queue = queue.then(function () {
        var f = filtering();
        status.setAttribute("aria-busy", "true");
        return loadUntil(f ? Infinity : (state.page + 1) * size)
          .then(function () {
            var list = f ? rows.filter(matches) : rows;
            paint(list, f ? list.length : total);
            remember();
          })
          .catch(function (e) {
            status.textContent = "Could not load the list (" + e.message + ").";
          })
          .then(function () {
            status.removeAttribute("aria-busy");
          });
      });
      return queue;
    }

    Object.keys(selects).forEach(function (d) {
      selects[d].addEventListener("change", function () {
        state.filter[d] = selects[d].value;
        state.page = 0;
        render();
      });
    });
    if (prev)
      prev.addEventListener("click", function () {
        state.page--;
        render();
      });
    if (next)
      next.addEventListener("click", function () {
        state.page++;
        render();
      });
    root.querySelectorAll("[data-controls]").forEach(function (c) {
      c.hidden = false;
    });

    // A linked state (?model=…&page=…): only values the list has.
    var q = new URLSearchParams(location.search);
    var linked = false;
    Object.keys(selects).forEach(function (d) {
      var v = q.get(d);
      if (v && selects[d].querySelector('option[value="' + CSS.escape(v) + '"]')) {
        selects[d].value = v;
        state.filter[d] = v;
        linked = true;
      }
    });
    var p = parseInt(q.get("page") || "", 10);
    if (p > 1) {
      state.page = p - 1;
      linked = true;
    }
    if (linked) render();
  }

  document.querySelectorAll(".failure-list[data-src]").forEach(setup);
})();
