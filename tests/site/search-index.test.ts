// The search index step (scripts/site/search-index.ts): which built pages it indexes, checked on a
// small site written here, and what Pagefind then reports it holds.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildSearchIndex, indexedPage, latestReleaseOf } from "../../scripts/site/search-index.ts";

const failure = (r: string) => `releases/${r}/datasets/demo_quiz/items/q7/cirrus-mini/index.html`;

describe("indexedPage", () => {
  it("keeps every page but the failure pages of releases other than the latest", () => {
    expect(indexedPage("index.html", "r2")).toBe(true);
    expect(indexedPage("releases/r1/categories/x/index.html", "r2")).toBe(true);
    expect(indexedPage(failure("r2"), "r2")).toBe(true);
    expect(indexedPage(failure("r1"), "r2")).toBe(false);
    // An item view is not a failure page (it carries no search marker, see failures.test.ts).
    expect(indexedPage("releases/r1/datasets/demo_quiz/items/q7/index.html", "r2")).toBe(true);
    expect(indexedPage("pagefind/x.html", "r2")).toBe(false);
    expect(indexedPage("releases/r1/failures/1.json", "r2")).toBe(false);
  });
});

describe("buildSearchIndex", () => {
  const dist = mkdtempSync(join(tmpdir(), "search-index-"));
  afterAll(() => rmSync(dist, { recursive: true, force: true }));
  const page = (path: string, body: string) => {
    mkdirSync(dirname(join(dist, path)), { recursive: true });
    writeFileSync(
      join(dist, path),
      `<!doctype html><html lang="en"><head><title>t</title></head><body>${body}</body></html>`,
    );
  };

  it("indexes marked pages and the latest release's failures only, and says so", async () => {
    mkdirSync(join(dist, "releases"), { recursive: true });
    writeFileSync(join(dist, "releases", "index.json"), JSON.stringify({ latest: "r2", releases: [] }));
    expect(latestReleaseOf(dist)).toBe("r2");
    page("index.html", "<main>home, not marked</main>");
    page("releases/r2/categories/x/index.html", "<main data-pagefind-body>arithmetic slips</main>");
    page(failure("r2"), "<main data-pagefind-body>zebra output of the latest</main>");
    page(failure("r1"), "<main data-pagefind-body>zebra output of an older release</main>");
    const s = await buildSearchIndex(dist);
    expect(s).toMatchObject({ pages: 4, indexed: 2, left_out: 2, failure_bundles: 1 });
    const count = (dir: string) =>
      JSON.parse(readFileSync(join(dist, dir, "pagefind-entry.json"), "utf8")).languages.en.page_count;
    expect(count("pagefind")).toBe(1);
    expect(count("pagefind-failures-1")).toBe(1);
    expect(JSON.parse(readFileSync(join(dist, "pagefind", "bundles.json"), "utf8"))).toEqual({
      failures: ["pagefind-failures-1/"],
    });
  });

  it("splits the failure pages into bundles of at most the given size, and drops stale ones", async () => {
    for (let i = 0; i < 5; i++)
      page(failure("r2").replace("/q7/", `/q${10 + i}/`), `<main data-pagefind-body>output ${i}</main>`);
    mkdirSync(join(dist, "pagefind-failures-9"), { recursive: true });
    const s = await buildSearchIndex(dist, 2);
    // 6 failure pages of r2 in bundles of 2
    expect(s.failure_bundles).toBe(3);
    expect(JSON.parse(readFileSync(join(dist, "pagefind", "bundles.json"), "utf8")).failures).toEqual([
      "pagefind-failures-1/",
      "pagefind-failures-2/",
      "pagefind-failures-3/",
    ]);
    expect(existsSync(join(dist, "pagefind-failures-9"))).toBe(false);
    const entry = JSON.parse(readFileSync(join(dist, "pagefind-failures-3", "pagefind-entry.json"), "utf8"));
    expect(entry.languages.en.page_count).toBe(2);
  });
});
