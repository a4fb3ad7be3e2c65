import { ConnectionLimitError, ResourceLimitError } from "@aral/core";
import { deepEqual, equal, ok, rejects } from "../harness/assert.ts";
import { defineCases } from "../harness/case.ts";
import { until } from "../harness/helpers.ts";
import { runtimeFor } from "./runtime-helpers.ts";

export const runtimeResourceCases = defineCases([
  {
    name: "resources: the seed's test — allocate({ memory: '200Mi' }) over a 100Mi limit rejects 'Resource limit exceeded'",
    capability: "runtime.resources",
    async run(ctx) {
      const { runtime } = runtimeFor(ctx, { resources: { memory: { limit: "100Mi" } } });
      await runtime.start();
      const error = (await rejects(
        () => runtime.allocate({ memory: "200Mi" }),
        { instance: ResourceLimitError, message: /Resource limit exceeded/ },
        "allocate",
      )) as ResourceLimitError;
      equal(error.resource, "memory", "error.resource");
      equal(error.limit, 100 * 2 ** 20, "error.limit (bytes)");
    },
  },
  {
    name: "resources: leases count against the limit until released; concurrent allocations never overshoot",
    capability: "runtime.resources",
    async run(ctx) {
      const { runtime } = runtimeFor(ctx, { resources: { memory: { limit: "100Mi" }, cpu: { limit: "2" } } });
      await runtime.start();
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, () => runtime.allocate({ memory: "20Mi", cpu: "100m" })),
      );
      const granted = outcomes.filter((o) => o.status === "fulfilled");
      equal(granted.length, 5, "leases granted out of 10 concurrent 20Mi requests against 100Mi");
      await rejects(() => runtime.allocate({ memory: "1Mi" }), { instance: ResourceLimitError }, "allocate when full");
      for (const o of granted) (o as PromiseFulfilledResult<{ release(): void }>).value.release();
      const again = await runtime.allocate({ memory: "100Mi" });
      again.release();
      again.release();
    },
  },
  {
    name: "resources: stop() releases the leases still held; the next run starts with the whole limit",
    capability: "runtime.resources",
    async run(ctx) {
      const { runtime } = runtimeFor(ctx, { resources: { memory: { limit: "100Mi" } } });
      await runtime.start();
      const held = await runtime.allocate({ memory: "60Mi" });
      equal(held.released, false, "released while running");
      await runtime.stop();
      equal(held.released, true, "released after stop()");
      held.release();
      await runtime.start();
      const whole = await runtime.allocate({ memory: "100Mi" });
      equal(whole.released, false, "the whole limit granted in the next run");
    },
  },
  {
    name: "resources: with no ephemeral root configured, stop() removes the temp directory start() made (no aral-ephemeral-* left behind)",
    capability: "runtime.resources",
    async run(ctx) {
      const base = await ctx.tempDir();
      const { runtime } = runtimeFor(ctx, { resources: { storage: { persistent: `${base}/data` } } });
      await runtime.start();
      const ephemeralRoot = runtime.storage!.ephemeral.root;
      const madeDir = ephemeralRoot.slice(0, ephemeralRoot.lastIndexOf("/"));
      ok(
        /aral-ephemeral-[^/]*$/.test(madeDir),
        `the ephemeral area lives in a temp directory start() made (got ${madeDir})`,
      );
      await runtime.storage!.ephemeral.writeFile("scratch.tmp", "x");
      await runtime.stop();
      equal(await ctx.platform.fs.exists(madeDir), false, `${madeDir} exists after stop()`);
      equal(await ctx.platform.fs.exists(`${base}/data`), true, "the persistent root exists after stop()");
    },
  },
  {
    name: 'resources: fallback "restart" — over its memory limit from the start, the runtime restarts once in place; still over after that restart, it stops (exit 1 for its supervisor) instead of running on degraded',
    capability: "runtime.resources",
    timeoutMs: 30_000,
    async run(ctx) {
      const { runtime, log } = runtimeFor(ctx, {
        resources: { memory: { limit: "1Mi" }, fallback: "restart", monitor: { interval: 20 } },
      });
      await runtime.start();
      await until("the runtime to stop", 20_000, () => runtime.getStatus() === "stopped");
      equal(runtime.restartCount, 1, "restarts in place before stopping");
      deepEqual(
        log.records
          .map((r) => r["event"])
          .filter((event) => event === "resources.restart" || event === "resources.restart-failed"),
        ["resources.restart", "resources.restart-failed"],
        "what the runtime logged",
      );
    },
  },
  {
    name: 'resources: fallback "restart" — a restart that brings usage back within limits keeps the runtime running, and a later exhaustion restarts it again',
    capability: "runtime.resources",
    timeoutMs: 30_000,
    async run(ctx) {
      const base = await ctx.tempDir();
      const { runtime, log } = runtimeFor(ctx, {
        resources: {
          storage: { persistent: `${base}/data`, maxSize: "1Mi" },
          fallback: "restart",
          monitor: { interval: 20 },
        },
      });
      await runtime.start();
      for (const round of [1, 2]) {
        // The ephemeral area is a new temp directory after each restart: the restart frees what filled it.
        await runtime.storage!.ephemeral.writeFile("fill.bin", new Uint8Array(1000 * 1024));
        await until(
          `restart ${round} to finish`,
          20_000,
          () => runtime.restartCount === round && runtime.getStatus() === "running",
        );
        equal(runtime.storage!.usage().total, 0, `usage after restart ${round}`);
      }
      equal(
        log.records.some((r) => r["event"] === "resources.restart-failed"),
        false,
        "no stop for a restart that helped",
      );
    },
  },
  {
    name: "resources: connection leases and runtime.fetch share network.connections — leased connections are busy slots, busy slots cannot be leased",
    capability: "runtime.resources",
    async run(ctx) {
      const server = await ctx.platform.net.serve(() => new Response("ok"));
      ctx.defer(() => server.close());
      const { runtime } = runtimeFor(ctx, { resources: { network: { connections: 2, overflow: "reject" } } });
      await runtime.start();
      const lease = await runtime.allocate({ connections: 2 });
      await rejects(() => runtime.fetch(server.url), { instance: ConnectionLimitError }, "fetch with both leased");
      lease.release();
      const held = await runtime.fetch(server.url); // its body unread: it holds a slot
      await rejects(
        () => runtime.allocate({ connections: 2 }),
        { instance: ResourceLimitError, message: /Resource limit exceeded/ },
        "leasing 2 while a request holds a slot",
      );
      const one = await runtime.allocate({ connections: 1 });
      await rejects(() => runtime.fetch(server.url), { instance: ConnectionLimitError }, "fetch with 1 leased, 1 busy");
      equal(await held.text(), "ok", "the held response's body");
      one.release();
      equal(await (await runtime.fetch(server.url)).text(), "ok", "a fetch once everything is free");
    },
  },
]);
