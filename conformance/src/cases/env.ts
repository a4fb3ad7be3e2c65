import { equal, ok } from "../harness/assert.ts";
import { defineCases, type ConformanceCase } from "../harness/case.ts";

const key = (label: string) => `ARAL_CONFORMANCE_${label}_${Math.floor(Math.random() * 1e9)}`;

export const envCases: ConformanceCase[] = defineCases([
  {
    name: "env: set, get, has, toObject and delete agree",
    capability: "env",
    run({ platform, defer }) {
      const k = key("ROUNDTRIP");
      defer(() => platform.env.delete(k));
      equal(platform.env.get(k), undefined, `get(${k}) before set`);
      equal(platform.env.has(k), false, `has(${k}) before set`);
      platform.env.set(k, "välue with spaces = and ✓");
      equal(platform.env.get(k), "välue with spaces = and ✓", `get(${k}) after set`);
      equal(platform.env.has(k), true, `has(${k}) after set`);
      equal(platform.env.toObject()[k], "välue with spaces = and ✓", `toObject()[${k}] after set`);
      platform.env.set(k, "second");
      equal(platform.env.get(k), "second", `get(${k}) after a second set`);
      platform.env.delete(k);
      equal(platform.env.get(k), undefined, `get(${k}) after delete`);
      equal(platform.env.has(k), false, `has(${k}) after delete`);
      equal(k in platform.env.toObject(), false, `${k} in toObject() after delete`);
      platform.env.delete(k);
    },
  },
  {
    name: 'env: an empty value is set (has true, get "")',
    capability: "env",
    run({ platform, defer }) {
      const k = key("EMPTY");
      defer(() => platform.env.delete(k));
      platform.env.set(k, "");
      equal(platform.env.has(k), true, `has(${k}) set to ""`);
      equal(platform.env.get(k), "", `get(${k}) set to ""`);
    },
  },
  {
    name: "env: toObject is a plain snapshot of string values that includes PATH",
    capability: "env",
    run({ platform, defer }) {
      const snapshot = platform.env.toObject();
      ok(typeof snapshot === "object" && snapshot !== null, "toObject() must return an object");
      for (const [k, v] of Object.entries(snapshot))
        ok(typeof v === "string", `toObject()[${k}] must be a string, got ${typeof v}`);
      const path = platform.env.get("PATH") ?? platform.env.get("Path");
      ok(path !== undefined && path.length > 0, "PATH must be visible through env.get");
      const k = key("SNAPSHOT");
      defer(() => platform.env.delete(k));
      snapshot[k] = "written into the snapshot";
      equal(platform.env.has(k), false, "writing into a toObject() result must not change the environment");
    },
  },
]);
