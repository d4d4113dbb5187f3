#!/usr/bin/env node
// The npm registry mirror this project is developed against serves only the linux builds of
// platform packages, so `npm install` leaves the other platforms' optional packages out of
// package-lock.json and `npm ci` then refuses the lock ("Missing: ... from lock file").
// This adds a stub entry (version, os, cpu, optional) for each missing platform package, so
// `npm ci` accepts the lock and skips them as foreign platforms. Run after `npm install`.
import { readFileSync, writeFileSync, renameSync } from "node:fs";

const path = new URL("../../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
const OS = {
  darwin: "darwin",
  win32: "win32",
  windows: "win32",
  linux: "linux",
  android: "android",
  freebsd: "freebsd",
  wasm32: null,
};
let added = 0;
for (const [key, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const at = key ? `${key}/node_modules/${name}` : `node_modules/${name}`;
    if (lock.packages[at] || lock.packages[`node_modules/${name}`]) continue;
    const parts = name.split("/").pop().split("-");
    const osWord = parts.find((p) => p in OS);
    const cpu = parts.find((p) => ["x64", "arm64", "arm", "ia32", "wasm32"].includes(p));
    const stub = { version, dev: entry.dev || undefined, optional: true };
    if (osWord && OS[osWord]) stub.os = [OS[osWord]];
    if (cpu) stub.cpu = [cpu];
    lock.packages[`node_modules/${name}`] = stub;
    added++;
  }
}
const sorted = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)),
);
lock.packages = sorted;
writeFileSync(`${path.pathname}.tmp`, JSON.stringify(lock, null, 2) + "\n");
renameSync(`${path.pathname}.tmp`, path);
console.log(`lockfile-platforms: added ${added} foreign-platform stubs`);
