#!/usr/bin/env node
// The `errormap` command. The pipeline is TypeScript: Node >= 22.18 runs it as it is (type
// stripping; tsconfig's erasableSyntaxOnly keeps the code within what that supports), which starts
// in a third of the time tsx needs (README "Performance"). Older Node falls back to tsx.
import module from "node:module";

if (!process.features.typescript) {
  const { register } = await import("tsx/esm/api");
  register();
} else {
  cacheCompiledCode();
}
const { main } = await import("../scripts/cli.ts");
process.exitCode = await main(process.argv.slice(2));

/**
 * Starting the command took ~0.45 s, over half of it stripping types and compiling the same
 * sources again: Node's compile cache keeps V8's code between runs, and the stripped text of our
 * .ts files is kept beside it (Node 22's compile cache does not cover type stripping; later
 * versions do, nodejs/node#56629), keyed by Node's version and the source's hash. Both live in
 * Node's cache folder ($NODE_COMPILE_CACHE, else the system temp folder); NODE_DISABLE_COMPILE_CACHE
 * turns both off. Anything unexpected falls back to Node's own loading.
 */
function cacheCompiledCode() {
  const { constants, enableCompileCache, registerHooks, stripTypeScriptTypes } = module;
  if (!enableCompileCache) return;
  const { status, directory } = enableCompileCache();
  const on = status === constants.compileCacheStatus.ENABLED || status === constants.compileCacheStatus.ALREADY_ENABLED;
  if (!on || !directory || !registerHooks || !stripTypeScriptTypes) return;
  const dir = `${directory}/errormap-ts`;
  registerHooks({
    load(url, context, nextLoad) {
      const loaded = nextLoad(url, context);
      if (loaded.format !== "module-typescript" || loaded.source == null) return loaded;
      return stripCached(dir, loaded) ?? loaded;
    },
  });
}

/** The module with its types stripped, from the cache or stripped now and cached; null on any failure. */
function stripCached(dir, loaded) {
  try {
    const { createHash } = process.getBuiltinModule("node:crypto");
    const fs = process.getBuiltinModule("node:fs");
    const text = typeof loaded.source === "string" ? loaded.source : Buffer.from(loaded.source).toString("utf8");
    const key = createHash("sha256").update(`${process.version}\0${text}`).digest("hex");
    const file = `${dir}/${key}.js`;
    let js;
    try {
      js = fs.readFileSync(file, "utf8");
    } catch {
      // stripTypeScriptTypes warns that it is experimental; what it does is what Node does to
      // every .ts file it runs, so the warning would only be noise on stderr.
      const { emitWarning } = process;
      process.emitWarning = () => {};
      try {
        js = module.stripTypeScriptTypes(text);
      } finally {
        process.emitWarning = emitWarning;
      }
      fs.mkdirSync(dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, js);
      fs.renameSync(tmp, file);
      pruneStale(fs, dir);
    }
    return { format: "module", source: js, shortCircuit: true };
  } catch {
    return null;
  }
}

/**
 * Every edited source adds an entry, so when one is added (a source changed), entries older than 30
 * days are removed, once per process. One still in use is simply stripped and cached again. (Called
 * while this module is still importing the command: only hoisted declarations exist by then.)
 */
function pruneStale(fs, dir) {
  if (pruneStale.done) return;
  pruneStale.done = true;
  const before = Date.now() - 30 * 86_400_000;
  for (const name of fs.readdirSync(dir)) {
    const path = `${dir}/${name}`;
    try {
      if (fs.statSync(path).mtimeMs < before) fs.rmSync(path, { force: true });
    } catch {
      // removed meanwhile by another process
    }
  }
}
