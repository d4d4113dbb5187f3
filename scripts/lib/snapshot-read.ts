// Reading snapshots back: their owner is src/lib/data/snapshot.ts; these are the names the
// command line knows them by.
export { readManifest as loadManifest, readRecords as loadRecords, recordsOf } from "../../src/lib/data/snapshot.ts";
