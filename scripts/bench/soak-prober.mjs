/**
 * The health prober of soak.ts (not a test): GETs `url` back to back until its stdin closes, then prints how many
 * answered. It runs in a process of its own, as a kubelet or a load balancer would, so the soaked agent's heap and
 * RSS hold only the agent (and not an HTTP client's pools and buffers). Run by the system Node on every runtime.
 *   node scripts/bench/soak-prober.mjs <url>
 */
const url = process.argv[2];
if (!url) throw new TypeError("soak-prober: usage: node soak-prober.mjs <url>");
let stop = false;
process.stdin.on("close", () => (stop = true)).resume();
let checks = 0;
while (!stop) {
  const response = await fetch(url);
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`soak-prober: ${url} answered ${response.status}`);
  checks++;
}
console.log(checks);
