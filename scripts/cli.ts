// The `errormap` command: import results, run the pipeline, inspect, publish, check a data root.
// Each subcommand declares its flags once; --help is generated from that declaration.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { dataRoot } from "../src/lib/paths.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;
interface Command {
  usage: string;
  summary: string;
  options: Options;
  help: Record<string, string>;
  positionals?: boolean;
  run(values: Record<string, string | boolean | undefined>, positionals: string[], root: string): Promise<number>;
}

const COMMON: Options = { data: { type: "string" }, help: { type: "boolean", short: "h" } };
const COMMON_HELP = {
  data: "DIR  data root (default: $ERRORMAP_DATA, else ./data)",
  help: "show this help",
};

const commands: Record<string, Command> = {
  import: {
    usage: "errormap import --snapshot ID [--base ID] [--register] [--force] PATH...",
    summary: "Import evaluation results (JSONL, CSV, ErrorMap CSV, HELM run directories) into a snapshot.",
    options: { snapshot: { type: "string" }, base: { type: "string" }, register: { type: "boolean" }, force: { type: "boolean" } },
    help: {
      snapshot: "ID   snapshot to write (data/snapshots/ID); refused if it exists, unless --force",
      base: "ID   start from an earlier snapshot's records, plus the new files",
      register: "     add unknown model and dataset names to the registry instead of stopping",
      force: "     replace an existing snapshot of the same id",
    },
    positionals: true,
    async run(v, paths, root) {
      if (!v.snapshot) throw new UsageError("--snapshot ID is required");
      if (paths.length === 0) throw new UsageError("name at least one PATH to import");
      const { importSnapshot } = await import("./import/snapshot.ts");
      const t0 = Date.now();
      const m = await importSnapshot({
        root,
        snapshot: String(v.snapshot),
        base: v.base as string | undefined,
        paths,
        register: Boolean(v.register),
        force: Boolean(v.force),
        log: (line) => console.error(line),
      });
      const secs = (Date.now() - t0) / 1000;
      console.error(
        `imported snapshot ${m.id}: ${m.records} records, ${m.failures} failures, ${Object.keys(m.datasets).length} datasets, ${m.models.length} models in ${secs.toFixed(1)} s`,
      );
      return 0;
    },
  },
  info: {
    usage: "errormap info (--snapshot ID | --release ID) [--json]",
    summary: "Show a snapshot's records and failures by dataset and model, or a release's counts.",
    options: { snapshot: { type: "string" }, release: { type: "string" }, json: { type: "boolean" } },
    help: {
      snapshot: "ID   the snapshot to describe",
      release: "ID   the release to describe",
      json: "     print exactly one JSON object on stdout",
    },
    async run(v, _p, root) {
      const { snapshotInfo, releaseInfo, printSnapshotTable, printReleaseTable } = await import("./lib/info.ts");
      if (v.snapshot) {
        const info = snapshotInfo(root, String(v.snapshot));
        if (v.json) process.stdout.write(JSON.stringify(info) + "\n");
        else printSnapshotTable(info);
        return 0;
      }
      if (v.release) {
        const info = releaseInfo(root, String(v.release));
        if (v.json) process.stdout.write(JSON.stringify(info) + "\n");
        else printReleaseTable(info);
        return 0;
      }
      throw new UsageError("name --snapshot ID or --release ID");
    },
  },
};

export class UsageError extends Error {}

function helpText(name: string, c: Command): string {
  const lines = [`${c.usage}`, "", c.summary, "", "Options:"];
  for (const [k, text] of Object.entries({ ...c.help, ...COMMON_HELP })) lines.push(`  --${k} ${text}`);
  return lines.join("\n");
}

function mainHelp(): string {
  const lines = ["errormap: the ErrorAtlas pipeline", "", "Commands:"];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(16)} ${c.summary}`);
  lines.push("", "Run `errormap COMMAND --help` for a command's flags. Every command takes --data DIR (or $ERRORMAP_DATA).");
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  let [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(mainHelp());
    return name ? 0 : 1;
  }
  // Two-word commands ("release publish").
  if (rest[0] && commands[`${name} ${rest[0]}`]) {
    name = `${name} ${rest[0]}`;
    rest = rest.slice(1);
  }
  const c = commands[name];
  if (!c) {
    console.error(`errormap: unknown command "${name}"\n\n${mainHelp()}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...c.options, ...COMMON }, allowPositionals: Boolean(c.positionals), strict: true });
  } catch (e) {
    console.error(`errormap ${name}: ${(e as Error).message}\n\n${helpText(name, c)}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(helpText(name, c));
    return 0;
  }
  try {
    return await c.run(parsed.values as Record<string, string | boolean | undefined>, parsed.positionals, dataRoot(parsed.values.data as string | undefined));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`errormap ${name}: ${e.message}\n\n${helpText(name, c)}`);
      return 2;
    }
    console.error(`errormap ${name}: error: ${(e as Error).message}`);
    if (process.env.ERRORMAP_DEBUG) console.error(e);
    return 1;
  }
}

