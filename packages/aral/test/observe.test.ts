// Observability on real runtimes: the observed agent (fixtures/observed-agent.ts) runs on Node, Deno and Bun;
// the test scrapes its live /metrics while it is loaded and after, checks every family a dashboard needs and
// runs promtool on each scrape.
import { describe, expect, it } from "vitest";
import { agentRuntimes, control, parseExposition, promtool, startAgent, total, type RunningAgent } from "./observe-helpers.ts";

async function scrape(agent: RunningAgent): Promise<{ text: string; samples: ReturnType<typeof parseExposition> }> {
  const response = await fetch(agent.urls.metrics);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  const text = await response.text();
  const check = promtool(text);
  if (!check) throw new Error("promtool is missing: apt-get install -y --no-install-recommends prometheus");
  expect({ code: check.code, output: check.output }).toEqual({ code: 0, output: "" }); // 3 would be a lint warning
  return { text, samples: parseExposition(text) };
}

describe.each(Object.keys(agentRuntimes))("observability on %s", (runtime) => {
  const spec = agentRuntimes[runtime]!;
  it.skipIf(spec.missing !== undefined)(`/metrics is promtool-clean and every family follows a loaded agent${spec.missing ? ` (skipped: ${spec.missing})` : ""}`, { timeout: 120_000 }, async () => {
    const agent = await startAgent(runtime);
    try {
      // Loaded: 20 tasks held behind a gate with concurrency 2 → 2 running, 18 queued.
      const loaded = await scrape(agent);
      const s1 = loaded.samples;
      expect(total(s1, "aral_tasks_running")).toBe(2);
      expect(total(s1, "aral_tasks_queued")).toBe(18);
      for (const priority of ["high", "normal", "low"]) expect(total(s1, "aral_tasks_queued", { priority }) + total(s1, "aral_tasks_running", { priority })).toBeGreaterThan(0);
      expect(total(s1, "aral_tasks_accepted_total")).toBe(20);
      expect(total(s1, "aral_task_duration_seconds_count")).toBe(0);
      expect(total(s1, "aral_resource_memory_allocated_bytes")).toBe(64 * 2 ** 20);
      expect(total(s1, "aral_resource_memory_limit_bytes")).toBe(512 * 2 ** 20);
      expect(total(s1, "aral_resource_leases")).toBe(1);
      // Every sample carries the agent's name and instance id.
      for (const sample of s1) expect(sample.labels).toMatchObject({ agent: "observed-agent", instance_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      expect(total(s1, "aral_runtime_info", { runtime })).toBe(1);
      const now = Date.now() / 1000;
      expect(total(s1, "process_start_time_seconds")).toBeGreaterThan(now - 600);
      expect(total(s1, "process_start_time_seconds")).toBeLessThan(now);
      expect(total(s1, "process_resident_memory_bytes")).toBeGreaterThan(10 * 2 ** 20);
      expect(total(s1, "process_cpu_seconds_total")).toBeGreaterThan(0);
      const cpuRatio = total(s1, "aral_cpu_usage_ratio");
      expect(cpuRatio).toBeGreaterThanOrEqual(0);
      expect(cpuRatio).toBeLessThan(1.5); // a share of the machine's cores, from the first sample on

      // A dependency that keeps failing: its breaker opens after 3 failed attempts; the next call is rejected.
      const fail = await control<{ outcomes: string[]; state: string }>(agent, "/fail");
      expect(fail.state).toBe("open");
      const timeout = await control<{ outcome: string }>(agent, "/fetch-timeout");
      expect(timeout.outcome).toBe("NetworkTimeoutError");
      const released = await control<{ fulfilled: number }>(agent, "/release");
      expect(released.fulfilled).toBe(20);

      // Drained: the queue is empty, the histogram counted every finished task, the breaker's state followed.
      const after = (await scrape(agent)).samples;
      expect(total(after, "aral_tasks_running")).toBe(0);
      expect(total(after, "aral_tasks_queued")).toBe(0);
      expect(total(after, "aral_tasks_completed_total")).toBe(20);
      expect(total(after, "aral_tasks_finished_total")).toBe(20);
      expect(total(after, "aral_task_duration_seconds_count")).toBe(20);
      expect(total(after, "aral_task_duration_seconds_bucket", { le: "+Inf" })).toBe(20);
      expect(total(after, "aral_task_duration_seconds_sum")).toBeGreaterThan(0);
      expect(total(after, "aral_circuit_breaker_state", { dependency: "flaky", state: "open" })).toBe(1);
      expect(total(after, "aral_circuit_breaker_state", { dependency: "flaky", state: "closed" })).toBe(0);
      expect(total(after, "aral_circuit_breaker_transitions_total", { dependency: "flaky", to: "open" })).toBe(1);
      expect(total(after, "aral_retries_total", { context: "flaky" })).toBeGreaterThanOrEqual(1);
      expect(total(after, "aral_dependency_calls_total", { dependency: "flaky", outcome: "failure" })).toBeGreaterThanOrEqual(1);
      expect(total(after, "aral_dependency_calls_total", { dependency: "flaky", outcome: "rejected" })).toBeGreaterThanOrEqual(1);
      expect(total(after, "aral_fetch_timeouts_total")).toBe(1);
      expect(total(after, "aral_fetch_requests_total")).toBe(1);
      expect(total(after, "aral_fetch_in_flight")).toBe(0);
      expect(total(after, "aral_health_check_up", { check: "runtime" })).toBe(1);
      expect(total(after, "aral_health_check_duration_seconds", { check: "runtime" })).toBeGreaterThanOrEqual(0);
      expect(total(after, "aral_memory_usage_ratio")).toBeGreaterThan(0);
      expect(total(after, "aral_degraded")).toBe(0);
      const lag = total(after, "aral_event_loop_lag_seconds");
      expect(lag).toBeGreaterThanOrEqual(0);
      expect(lag).toBeLessThan(5);
      expect(total(after, "aral_event_loop_lag_max_seconds")).toBeGreaterThanOrEqual(lag);
      expect(total(after, "aral_restarts_total")).toBe(0);

      const report = await control<{ tasks: Record<string, unknown> }>(agent, "/stop");
      expect(report.tasks).toEqual({ accepted: 20, finished: 20, aborted: 0, returned: 0, drain: { finished: 0, aborted: 0, returned: 0 } });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- agent output ---\n${agent.output().slice(-4000)}`, { cause: error });
    } finally {
      await agent.kill();
    }
  });
});
