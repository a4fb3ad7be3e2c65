import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AuditError,
  AuditLog,
  GENESIS_HASH,
  memorySink,
  openFileAuditLog,
  verifyAuditLog,
} from "../../src/logging/index.ts";
import { canonicalJson } from "../../src/logging/canonical-json.ts";
import { sha256Hex } from "../../src/logging/sha256.ts";
import { join, nodeFsPlatform, readFile, tempDir } from "./node-fs.ts";

async function sampleLog(n: number): Promise<string[]> {
  const sink = memorySink();
  const audit = new AuditLog({ sink });
  for (let i = 0; i < n; i++) await audit.append(i % 2 ? "resource.allocate" : "lifecycle", { i, memory: `${i}Mi` });
  return [...sink.lines];
}

describe("AuditLog", () => {
  it("chains records: seq from 1, prev = previous hash, hash = SHA-256 of canonical JSON without hash", async () => {
    const sink = memorySink();
    const audit = new AuditLog({ sink });
    const a = await audit.append("lifecycle", { to: "starting", instanceId: "i-1" });
    const b = await audit.append("error", { err: new Error("x"), token: "secret-value" });
    expect(a.seq).toBe(1);
    expect(a.prev).toBe(GENESIS_HASH);
    expect(b.seq).toBe(2);
    expect(b.prev).toBe(a.hash);
    const { hash, ...body } = a;
    expect(hash).toBe(await sha256Hex(canonicalJson(body as never)));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
    expect(sink.lines.map((l) => JSON.parse(l))).toEqual([a, b]);
    expect(b.data.token).toBe("[REDACTED]");
    expect(b.data.err).toMatchObject({ type: "Error", message: "x" });
    expect(await verifyAuditLog(sink.lines)).toEqual({
      ok: true,
      count: 2,
      head: { seq: 2, hash: b.hash },
      complete: false,
    });
    expect(await verifyAuditLog(sink.lines, { expectHead: { seq: 2, hash: b.hash } })).toEqual({
      ok: true,
      count: 2,
      head: { seq: 2, hash: b.hash },
      complete: true,
    });
  });

  it("redact takes one key name as a string or an array, and rejects anything else with a TypeError naming it", async () => {
    const record = await new AuditLog({ redact: "ssn" }).append("user", { SSN: "123-45", name: "ann" });
    expect(record.data).toEqual({ SSN: "[REDACTED]", name: "ann" });
    expect(() => new AuditLog({ redact: 5 as never })).toThrow(
      new TypeError("Invalid log option redact: expected a key name or an array of key names, got 5"),
    );
  });

  it("serializes concurrent appends into one valid chain in call order", async () => {
    const sink = memorySink();
    const audit = new AuditLog({ sink });
    const records = await Promise.all(Array.from({ length: 50 }, (_, i) => audit.append("event", { i })));
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(records.map((r) => r.data.i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(await verifyAuditLog(`${sink.lines.join("\n")}\n`)).toMatchObject({ ok: true, count: 50 });
  });

  it("rejects bad input with AuditError and refuses appends after close", async () => {
    const audit = new AuditLog();
    await expect(audit.append("", {})).rejects.toThrow(AuditError);
    await expect(audit.append("x", [] as never)).rejects.toThrow(/data must be a plain object, got an array/);
    expect(() => new AuditLog({ continueFrom: { seq: 1, hash: "nope" } })).toThrow(AuditError);
    await audit.close();
    await expect(audit.append("late", {})).rejects.toMatchObject({ name: "AuditError", reason: "closed" });
  });
});

describe("verifyAuditLog", () => {
  it("detects a modified record", async () => {
    const lines = await sampleLog(5);
    lines[2] = lines[2]!.replace('"2Mi"', '"20Mi"');
    expect(await verifyAuditLog(lines)).toMatchObject({
      ok: false,
      brokenAt: 3,
      seq: 3,
      reason: expect.stringContaining("record modified"),
    });
  });

  it("detects a deleted record, including the first", async () => {
    const lines = await sampleLog(5);
    expect(await verifyAuditLog([...lines.slice(0, 2), ...lines.slice(3)])).toMatchObject({
      ok: false,
      brokenAt: 3,
      reason: expect.stringContaining("deleted"),
    });
    expect(await verifyAuditLog(lines.slice(1))).toMatchObject({ ok: false, brokenAt: 1 });
  });

  it("detects an inserted record, even one with a correct hash", async () => {
    const lines = await sampleLog(4);
    const forged = JSON.parse(lines[1]!);
    forged.data = { i: 99 };
    const { hash: _h, ...body } = forged;
    forged.hash = await sha256Hex(canonicalJson(body));
    expect(await verifyAuditLog([lines[0]!, lines[1]!, JSON.stringify(forged), ...lines.slice(2)])).toMatchObject({
      ok: false,
      brokenAt: 3,
    });
    // Same seq re-numbered into place: prev chain breaks at the record after it.
    forged.seq = 3;
    forged.prev = JSON.parse(lines[1]!).hash;
    const { hash: _h2, ...body2 } = forged;
    forged.hash = await sha256Hex(canonicalJson(body2));
    expect(await verifyAuditLog([lines[0]!, lines[1]!, JSON.stringify(forged), ...lines.slice(2)])).toMatchObject({
      ok: false,
      brokenAt: 4,
      reason: expect.stringContaining("seq 3 where 4"),
    });
  });

  it("detects reordered records, malformed lines and truncation (with expectHead)", async () => {
    const lines = await sampleLog(4);
    expect(await verifyAuditLog([lines[0]!, lines[2]!, lines[1]!, lines[3]!])).toMatchObject({
      ok: false,
      brokenAt: 2,
    });
    expect(await verifyAuditLog([lines[0]!, "{not json"])).toMatchObject({
      ok: false,
      brokenAt: 2,
      reason: expect.stringContaining("not valid JSON"),
    });
    expect(await verifyAuditLog([lines[0]!, '{"seq":2}'])).toMatchObject({
      ok: false,
      reason: expect.stringContaining("time is not a number"),
    });
    const full = await verifyAuditLog(lines);
    if (!full.ok) throw new Error("expected ok");
    expect(await verifyAuditLog(lines.slice(0, 3))).toMatchObject({ ok: true, count: 3 });
    expect(await verifyAuditLog(lines.slice(0, 3), { expectHead: full.head })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("ends at seq 3"),
    });
    expect(await verifyAuditLog(lines, { expectHead: full.head })).toMatchObject({ ok: true, count: 4 });
  });

  it("property: any single edit, deletion, duplication or swap of records is detected", async () => {
    const lines = await sampleLog(8);
    const op = fc.oneof(
      fc.record({ kind: fc.constant("delete" as const), at: fc.nat(6) }),
      fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat(7) }),
      fc.record({ kind: fc.constant("swap" as const), at: fc.nat(6) }),
      fc.record({
        kind: fc.constant("edit" as const),
        at: fc.nat(7),
        field: fc.constantFrom("seq", "time", "type", "data", "prev"),
        value: fc.jsonValue(),
      }),
    );
    await fc.assert(
      fc.asyncProperty(op, async (o) => {
        const copy = [...lines];
        if (o.kind === "delete") copy.splice(o.at, 1);
        else if (o.kind === "duplicate") copy.splice(o.at, 0, copy[o.at]!);
        else if (o.kind === "swap") [copy[o.at], copy[o.at + 1]] = [copy[o.at + 1]!, copy[o.at]!];
        else {
          const record = JSON.parse(copy[o.at]!);
          if (JSON.stringify(record[o.field]) === JSON.stringify(o.value)) return;
          record[o.field] = o.value;
          copy[o.at] = JSON.stringify(record);
        }
        const result = await verifyAuditLog(copy);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe("openFileAuditLog", () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(() => dir.cleanup());

  it("writes records to a file through the platform and continues the chain across reopenings", async () => {
    const platform = nodeFsPlatform();
    const path = join(dir.path, "audit.log");
    const first = await openFileAuditLog(platform, path);
    await first.append("lifecycle", { to: "running" });
    await first.append("resource.allocate", { memory: 1024 });
    await first.close();
    const second = await openFileAuditLog(platform, path);
    expect(second.head.seq).toBe(2);
    await second.append("lifecycle", { to: "stopped" });
    await second.close();
    const text = await readFile(path, "utf8");
    expect(await verifyAuditLog(text)).toMatchObject({ ok: true, count: 3 });

    const tampered = text.replace('"running"', '"failed"');
    const { writeFile } = await import("node:fs/promises");
    await writeFile(path, tampered);
    await expect(openFileAuditLog(platform, path)).rejects.toMatchObject({
      name: "AuditError",
      reason: "broken-chain",
    });
  });
});
