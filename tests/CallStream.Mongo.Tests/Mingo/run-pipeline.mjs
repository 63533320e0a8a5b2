// Runs MongoDB aggregation pipelines with mingo (an independent implementation of MongoDB's query language) for
// CallStream.Mongo.Tests. Reads from stdin, in relaxed extended JSON:
//   { "runs": [ { "collection": "interactions", "pipeline": [ ...stages ] }, ... ],
//     "collections": { "interactions": [ ...docs ], "alerts": [ ...docs ] } }
// and writes { "results": [ [ ...docs of run 1 ], ... ] } to stdout. Dates travel as { "$date": "ISO-8601" }.
import { aggregate } from "mingo";

function revive(key, value) {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const v = value[keys[0]];
      switch (keys[0]) {
        case "$date":
          return new Date(typeof v === "object" ? Number(v.$numberLong) : v);
        case "$numberLong":
        case "$numberInt":
        case "$numberDouble":
          return Number(v);
      }
    }
  }
  return value;
}

function replace(key, value) {
  const raw = this[key];
  return raw instanceof Date ? { $date: raw.toISOString() } : value;
}

let text = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) text += chunk;
const input = JSON.parse(text, revive);
const collections = input.collections ?? {};
const options = { collectionResolver: (name) => collections[name] ?? [] };
const results = input.runs.map((run) => aggregate(collections[run.collection] ?? [], run.pipeline, options));
process.stdout.write(JSON.stringify({ results }, replace));
