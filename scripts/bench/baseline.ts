// The baseline the site build is compared with: a plain Astro project (Astro's defaults, no
// integrations) that generates N minimal pages from one dynamic route. It uses this repository's
// Astro (node_modules is linked), so both builds run the same Astro on the same machine, in the
// same benchmark run.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function writeBaselineProject(dir: string, repo: string): void {
  mkdirSync(join(dir, "src/pages"), { recursive: true });
  symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"), "dir");
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "astro-baseline", private: true, type: "module" }) + "\n",
  );
  writeFileSync(
    join(dir, "astro.config.mjs"),
    `import { defineConfig } from "astro/config";\nexport default defineConfig({});\n`,
  );
  writeFileSync(
    join(dir, "src/pages/[n].astro"),
    `---
export function getStaticPaths() {
  const n = Number(process.env.BASELINE_PAGES || 100);
  return Array.from({ length: n }, (_, i) => ({ params: { n: "page-" + i }, props: { i } }));
}
const { i } = Astro.props;
---
<html lang="en"><head><meta charset="utf-8" /><title>Page {i}</title></head><body><h1>Page {i}</h1><p>A minimal page.</p></body></html>
`,
  );
}
