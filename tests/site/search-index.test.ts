// The search index step (scripts/site/search-index.ts): which built pages it indexes, checked on a
// small site written here, and what Pagefind then reports it holds.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
    expect(s).toMatchObject({ pages: 4, indexed: 2, left_out: 2 });
    const entry = JSON.parse(readFileSync(join(dist, "pagefind", "pagefind-entry.json"), "utf8"));
    expect(entry.languages.en.page_count).toBe(2);
  });
});
