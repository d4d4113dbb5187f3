#!/usr/bin/env node
// The `errormap` command. The pipeline is TypeScript: Node >= 22.18 runs it as it is (type
// stripping; tsconfig's erasableSyntaxOnly keeps the code within what that supports), which starts
// in a third of the time tsx needs (issue 6). Older Node falls back to tsx.
if (!process.features.typescript) {
  const { register } = await import("tsx/esm/api");
  register();
}
const { main } = await import("../scripts/cli.ts");
process.exitCode = await main(process.argv.slice(2));
