import { describe, expect, it } from "vitest";
import { ManualClock } from "@aral/platform";
import { LogLevelError, createLogger, memorySink, parseLogLevel, type LogLevel } from "../../src/logging/index.ts";

describe("createLogger line format (pino-compatible)", () => {
  it("writes one JSON object per line with pino's numeric level, epoch-ms time, bindings, fields and msg", () => {
    const sink = memorySink();
    const before = Date.now();
    const log = createLogger({ sink, bindings: { instanceId: "abc" } });
    log.info("started", { port: 8080 });
    expect(sink.lines).toHaveLength(1);
    const line = sink.lines[0]!;
    expect(line.includes("\n")).toBe(false);
    const record = JSON.parse(line);
    expect(Object.keys(record)).toEqual(["level", "time", "instanceId", "port", "msg"]);
    expect(record).toMatchObject({ level: 30, instanceId: "abc", port: 8080, msg: "started" });
    expect(Number.isInteger(record.time)).toBe(true);
    expect(record.time).toBeGreaterThanOrEqual(before - 5);
    expect(record.time).toBeLessThanOrEqual(Date.now() + 5);
  });

  it("maps debug/info/warn/error to 20/30/40/50 and filters below the level", () => {
    const sink = memorySink();
    const log = createLogger({ sink, level: "debug" });
    for (const level of ["debug", "info", "warn", "error"] as LogLevel[]) log[level](level);
    expect(sink.records.map((r) => [r.level, r.msg])).toEqual([
      [20, "debug"],
      [30, "info"],
      [40, "warn"],
      [50, "error"],
    ]);
    sink.clear();
    log.level = "warn";
    log.debug("no");
    log.info("no");
    log.warn("yes");
    expect(sink.records.map((r) => r.msg)).toEqual(["yes"]);
    expect(log.isLevelEnabled("info")).toBe(false);
    expect(log.isLevelEnabled("error")).toBe(true);
    log.level = "silent";
    log.error("dropped");
    expect(sink.lines).toHaveLength(1);
  });

  it("defaults to info and rejects a bad level with a typed error", () => {
    const sink = memorySink();
    const log = createLogger({ sink });
    expect(log.level).toBe("info");
    log.debug("hidden");
    expect(sink.lines).toHaveLength(0);
    expect(() => createLogger({ level: "verbose" as LogLevel })).toThrow(LogLevelError);
    expect(() => {
      log.level = "loud" as LogLevel;
    }).toThrow(/Invalid log level "loud"/);
  });

  it("child loggers add bindings without changing the parent, and inherit the level at creation", () => {
    const sink = memorySink();
    const root = createLogger({ sink, level: "debug", bindings: { instanceId: "i-1" } });
    const child = root.child({ component: "health" });
    const grandchild = child.child({ check: "db", component: "health.db" });
    root.level = "error";
    child.debug("from child");
    grandchild.info("from grandchild");
    root.info("filtered");
    expect(sink.records).toEqual([
      expect.objectContaining({ instanceId: "i-1", component: "health", msg: "from child", level: 20 }),
      expect.objectContaining({ instanceId: "i-1", component: "health.db", check: "db", msg: "from grandchild" }),
    ]);
    expect(root.bindings).toEqual({ instanceId: "i-1" });
  });

  it("takes the time from the injected clock", async () => {
    const clock = new ManualClock(5);
    const sink = memorySink();
    const log = createLogger({ sink, clock });
    log.info("a");
    await clock.advance(1500);
    log.info("b");
    const [a, b] = sink.records;
    expect((b!.time as number) - (a!.time as number)).toBe(1500);
  });

  it("keeps level/time/msg owned by the line: colliding fields are renamed with a leading underscore", () => {
    const sink = memorySink();
    createLogger({ sink }).warn("real", { msg: "fake", level: "x", time: 1 });
    expect(sink.records[0]).toMatchObject({ level: 40, msg: "real", _msg: "fake", _level: "x", _time: 1 });
  });
});

describe("field serialization", () => {
  it("serializes errors like pino's err serializer, with code, own fields and cause", () => {
    const sink = memorySink();
    const root = new Error("disk gone");
    const error = Object.assign(new TypeError("write failed", { cause: root }), { code: "EIO", path: "/data/x" });
    createLogger({ sink }).error("boom", { err: error });
    const err = sink.records[0]!.err as Record<string, unknown>;
    expect(err).toMatchObject({ type: "TypeError", message: "write failed", code: "EIO", path: "/data/x" });
    expect(err.stack).toMatch(/TypeError: write failed/);
    expect(err.cause).toMatchObject({ type: "Error", message: "disk gone" });
  });

  it("an Error passed as the fields becomes { err }", () => {
    const sink = memorySink();
    createLogger({ sink }).error("failed", new RangeError("too big") as never);
    expect(sink.records[0]).toMatchObject({ msg: "failed", err: { type: "RangeError", message: "too big" } });
  });

  it("redacts secret keys at any depth, case-insensitive, plus configured keys", () => {
    const sink = memorySink();
    const log = createLogger({ sink, redact: ["ssn"], bindings: { apiKey: "k-1" } });
    log.info("request", {
      headers: { Authorization: "Bearer abc", Cookie: "sid=1", "X-API-KEY": "x", accept: "json" },
      user: { name: "ann", password: "hunter2", passwd: "p", nested: [{ accessToken: "t", SSN: "ssn-value-9f" }] },
      db_credentials: { user: "u" },
      clientSecret: "s",
      api_key: "k",
    });
    const line = sink.lines[0]!;
    for (const secret of ["abc", "sid=1", "hunter2", "k-1", '"t"', "ssn-value-9f", '"s"', '"u"'])
      expect(line).not.toContain(secret);
    const r = sink.records[0]!;
    expect(r).toMatchObject({
      apiKey: "[REDACTED]",
      headers: { Authorization: "[REDACTED]", Cookie: "[REDACTED]", "X-API-KEY": "[REDACTED]", accept: "json" },
      user: {
        name: "ann",
        password: "[REDACTED]",
        passwd: "[REDACTED]",
        nested: [{ accessToken: "[REDACTED]", SSN: "[REDACTED]" }],
      },
      db_credentials: "[REDACTED]",
      clientSecret: "[REDACTED]",
      api_key: "[REDACTED]",
    });
  });

  it("survives circular references, BigInt, throwing getters, odd values and a throwing sink", () => {
    const sink = memorySink();
    const log = createLogger({ sink });
    const loop: Record<string, unknown> = { name: "loop" };
    loop.self = loop;
    loop.list = [loop, 1];
    const hostile = {
      get bad() {
        throw new Error("getter exploded");
      },
    };
    const shared = { v: 1 };
    log.info("odd", {
      loop,
      big: 2n ** 70n,
      hostile,
      nan: Number.NaN,
      when: new Date(0),
      map: new Map([["a", 1]]),
      set: new Set([1, 2]),
      fn: () => 1,
      undef: undefined,
      bytes: new Uint8Array(4),
      twice: [shared, shared],
    });
    const r = sink.records[0]!;
    expect(r).toMatchObject({
      loop: { name: "loop", self: "[Circular]", list: ["[Circular]", 1] },
      big: "1180591620717411303424",
      hostile: { bad: "[Unreadable: getter exploded]" },
      nan: "NaN",
      when: "1970-01-01T00:00:00.000Z",
      map: { a: 1 },
      set: [1, 2],
      bytes: "[Uint8Array(4 bytes)]",
      twice: [{ v: 1 }, { v: 1 }],
    });
    expect("fn" in r || "undef" in r).toBe(false);

    const throwing = createLogger({
      sink: () => {
        throw new Error("sink down");
      },
    });
    expect(() => throwing.error("still fine", { loop })).not.toThrow();
    const proxy = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error("no keys");
        },
      },
    );
    expect(() => log.info("proxy", { proxy })).not.toThrow();
    expect(sink.records[1]).toMatchObject({ proxy: "[Unreadable: no keys]" });
  });
});

describe("parseLogLevel", () => {
  it("accepts the levels case-insensitively, 'warning', and falls back on empty", () => {
    expect(parseLogLevel("DEBUG")).toBe("debug");
    expect(parseLogLevel(" warning ")).toBe("warn");
    expect(parseLogLevel("silent")).toBe("silent");
    expect(parseLogLevel(undefined)).toBe("info");
    expect(parseLogLevel("", "error")).toBe("error");
  });

  it("rejects anything else with LogLevelError naming the value", () => {
    expect(() => parseLogLevel("trace")).toThrow(LogLevelError);
    expect(() => parseLogLevel("trace")).toThrow(
      'Invalid log level "trace": expected one of debug, info, warn, error, silent',
    );
    try {
      parseLogLevel(30);
    } catch (error) {
      expect(error).toBeInstanceOf(LogLevelError);
      expect((error as LogLevelError).value).toBe(30);
    }
    expect.assertions(4);
  });
});

describe("log(level, ...): pino's levels by name and number; no level is dropped silently", () => {
  it("writes fatal as pino's 60 (filtered only by silent) and takes pino's numbers and any case", () => {
    const sink = memorySink();
    const log = createLogger({ sink, level: "error" });
    log.log("fatal", "fatal msg");
    log.log(60, "fatal by number");
    log.log("ERROR" as never, "upper"); // JavaScript callers, levels read from config
    log.log(50, "numeric");
    log.log(" Warning " as never, "below the threshold");
    log.log(40, "below the threshold");
    expect(sink.records.map((r) => [r.level, r.msg])).toEqual([
      [60, "fatal msg"],
      [60, "fatal by number"],
      [50, "upper"],
      [50, "numeric"],
    ]);
    expect(log.isLevelEnabled("fatal")).toBe(true);
    expect(log.isLevelEnabled(40)).toBe(false);
    log.level = "debug";
    log.log("Warning" as never, "warn");
    log.log("trace", "below every threshold, as pino at level debug");
    log.log(10, "below every threshold");
    expect(sink.records.slice(4).map((r) => [r.level, r.msg])).toEqual([[40, "warn"]]);
    expect(log.isLevelEnabled("trace")).toBe(false);
    log.level = "silent";
    log.log("fatal", "silenced");
    expect(sink.lines).toHaveLength(5);
  });

  it("writes a line at an unknown level at error, with the level it was given, rather than dropping it", () => {
    const sink = memorySink();
    const log = createLogger({ sink, level: "error", bindings: { instanceId: "i-1" } });
    const unknown: unknown[] = ["bogus", 35, "constructor", Symbol("s"), undefined];
    for (const level of unknown) expect(() => log.log(level as never, "m", { a: 1 })).not.toThrow();
    expect(sink.records.map((r) => r.invalidLevel)).toEqual(["bogus", 35, "constructor", "Symbol(s)", "undefined"]);
    expect(sink.records[0]).toEqual({
      level: 50,
      time: expect.any(Number),
      instanceId: "i-1",
      a: 1,
      invalidLevel: "bogus",
      msg: "m",
    });
    expect(log.isLevelEnabled("bogus" as never)).toBe(true);
    log.level = "silent";
    log.log("bogus" as never, "dropped: the threshold is silent");
    expect(sink.lines).toHaveLength(5);
    expect(log.isLevelEnabled("bogus" as never)).toBe(false);
  });

  it("'silent' is a threshold, not a level: log('silent') writes nothing (it wrote level Infinity, not JSON)", () => {
    const sink = memorySink();
    const log = createLogger({ sink, level: "debug" });
    log.log("silent" as never, "x");
    expect(sink.lines).toEqual([]);
    expect(log.isLevelEnabled("silent" as never)).toBe(false);
  });
});

describe("pino's call forms", () => {
  it("info(fields, msg) writes the same line as info(msg, fields), for every level method and log()", () => {
    const sink = memorySink();
    const clock = new ManualClock(0);
    const log = createLogger({ sink, clock, level: "debug", redact: "ssn", bindings: { instanceId: "i-1" } });
    const fields = { userId: 7, ssn: "123", nested: { token: "t" }, msg: "field" };
    for (const level of ["debug", "info", "warn", "error"] as LogLevel[]) {
      sink.clear();
      log[level]({ ...fields }, "pino-style");
      log[level]("pino-style", { ...fields });
      expect(sink.lines[0]).toBe(sink.lines[1]);
      expect(sink.records[0]).toMatchObject({ userId: 7, ssn: "[REDACTED]", _msg: "field", msg: "pino-style" });
    }
    sink.clear();
    log.log("fatal", fields, "pino-style");
    log.log("fatal", "pino-style", fields);
    expect(sink.lines[0]).toBe(sink.lines[1]);
  });

  it("fields with no message write an empty msg; an absent fields object before a message is no fields", () => {
    const sink = memorySink();
    const log = createLogger({ sink });
    log.info({ userId: 7 });
    log.info(undefined as never, "no fields");
    log.info("plain");
    expect(sink.records.map(({ time: _, ...rest }) => rest)).toEqual([
      { level: 30, userId: 7, msg: "" },
      { level: 30, msg: "no fields" },
      { level: 30, msg: "plain" },
    ]);
  });

  it("an Error first: error(err, msg) is error(msg, err); error(err) and error(err, fields) keep its message", () => {
    const sink = memorySink();
    const clock = new ManualClock(0);
    const log = createLogger({ sink, clock });
    const error = Object.assign(new Error("disk gone"), { code: "EIO" });
    log.error(error, "write failed");
    log.error("write failed", error);
    expect(sink.lines[0]).toBe(sink.lines[1]);
    expect(sink.records[0]).toMatchObject({
      err: { type: "Error", message: "disk gone", code: "EIO" },
      msg: "write failed",
    });
    expect(Object.keys(sink.records[0]!)).toEqual(["level", "time", "err", "msg"]);
    log.error(error);
    log.error(error, { path: "/data" } as never); // untyped, kept working
    expect(sink.records[2]).toMatchObject({ err: { message: "disk gone" }, msg: "disk gone" });
    expect(sink.records[3]).toMatchObject({ err: { message: "disk gone" }, path: "/data", msg: "disk gone" });
  });
});

describe("redact paths in pino's form", () => {
  it("redacts a dotted path only there, from the root of the logged fields and bindings; a plain name anywhere", () => {
    const sink = memorySink();
    const log = createLogger({
      sink,
      redact: ["user.ssn", 'req.headers["x-trace.key"]', "cards[*].number", "*.pin", "items[1]", "zip"],
      bindings: { user: { ssn: "bound-111" } },
    });
    log.info("request", {
      user: { SSN: "111-22", name: "ann", profile: { ssn: "kept-nested" } },
      other: { ssn: "kept-other", pin: "1234" },
      req: { headers: { "x-trace.key": "t-1", accept: "json" } },
      cards: [{ number: "4111", brand: "visa" }, { number: "5500" }],
      items: ["a", "b", "c"],
      address: { zip: "12345" },
    });
    const line = sink.lines[0]!;
    for (const secret of ["111-22", "bound-111", "t-1", "4111", "5500", "1234", '"b"', "12345"])
      expect(line).not.toContain(secret);
    expect(sink.records[0]).toMatchObject({
      user: { SSN: "[REDACTED]", name: "ann", profile: { ssn: "kept-nested" } },
      other: { ssn: "kept-other", pin: "[REDACTED]" },
      req: { headers: { "x-trace.key": "[REDACTED]", accept: "json" } },
      cards: [{ number: "[REDACTED]", brand: "visa" }, { number: "[REDACTED]" }],
      items: ["a", "[REDACTED]", "c"],
      address: { zip: "[REDACTED]" },
    });
    log.child({ scope: "c" }).warn("again", new Map([["user", { ssn: "from-a-map" }]]) as never);
    expect(sink.lines[1]).toContain('"user":{"ssn":"[REDACTED]"}');
  });

  it("a malformed path is a TypeError naming it and what is wrong", () => {
    const sink = memorySink();
    for (const [path, why] of [
      ["", "empty"],
      ["a..b", "an empty segment"],
      ["a.", "it ends with a dot"],
      ["a[b", "a [ without its ]"],
      ["a[b]", '[b]: write ["name"], [*] or an index'],
      ["a[0]b", '"b" after ]'],
    ] as const) {
      expect(() => createLogger({ sink, redact: [path] })).toThrow(
        new TypeError(`Invalid log option redact: ${JSON.stringify(path)} is not a key name or a path (${why})`),
      );
    }
  });
});

describe("createLogger and child() options: a bad one is a TypeError naming it and the value", () => {
  it("redact takes one key name as a string, and rejects anything but key names", () => {
    const sink = memorySink();
    createLogger({ sink, redact: "ssn" }).info("user", { SSN: "123-45", name: "ann" });
    expect(sink.records[0]).toMatchObject({ SSN: "[REDACTED]", name: "ann" });
    for (const [redact, shown] of [
      [5, "5"],
      [[1], "[1]"],
      [["ok", null], '["ok",null]'],
      [{ keys: ["a"] }, '{"keys":["a"]}'],
    ] as const) {
      expect(() => createLogger({ sink, redact: redact as never })).toThrow(
        new TypeError(`Invalid log option redact: expected a key name or an array of key names, got ${shown}`),
      );
    }
  });

  it("rejects bad options, bindings, clock and sink up front instead of failing later or dropping every line", () => {
    expect(() => createLogger(null as never)).toThrow(
      new TypeError("Invalid logger options: expected an object, got null"),
    );
    expect(() => createLogger({ bindings: "abc" as never })).toThrow(
      new TypeError('Invalid log option bindings: expected an object of fields, got "abc"'),
    );
    expect(() => createLogger({ bindings: [1] as never })).toThrow(/Invalid log option bindings: .* got \[1\]/);
    // a clock without now() made every line vanish (the throw was swallowed per call)
    expect(() => createLogger({ clock: "wall" as never })).toThrow(
      new TypeError('Invalid log option clock: expected a Clock (an object with now()), got "wall"'),
    );
    expect(() => createLogger({ sink: 5 as never })).toThrow(
      new TypeError("Invalid log sink: expected a function (line) => void or an object with write(line), got 5"),
    );
  });

  it("child() rejects non-object bindings, takes none for undefined, and survives a throwing getter", () => {
    const sink = memorySink();
    const log = createLogger({ sink, bindings: { instanceId: "i-1" } });
    expect(() => log.child("abc" as never)).toThrow(
      new TypeError('Invalid child bindings: expected an object of fields, got "abc"'),
    );
    expect(() => log.child([1] as never)).toThrow(TypeError);
    expect(log.child(undefined as never).bindings).toEqual({ instanceId: "i-1" });
    const hostile = {
      component: "db",
      get broken(): string {
        throw new Error("getter exploded");
      },
    };
    const child = log.child(hostile);
    child.info("still logs");
    expect(child.bindings).toEqual({ instanceId: "i-1", component: "db", broken: "[Unreadable: getter exploded]" });
    expect(sink.records[0]).toMatchObject({
      instanceId: "i-1",
      component: "db",
      broken: "[Unreadable: getter exploded]",
    });
  });
});

describe("odd keys and clocks", () => {
  it("a __proto__ key (a logged request body parsed from JSON) is written, and redacted inside, not dropped or made the prototype", () => {
    const sink = memorySink();
    const logger = createLogger({ sink });
    logger.info("request", { body: JSON.parse('{"__proto__":{"password":"hunter2","user":"ann"},"id":7}') });
    logger.info("top", JSON.parse('{"__proto__":"v","y":2}'));
    expect(sink.lines[0]).toContain('"body":{"__proto__":{"password":"[REDACTED]","user":"ann"},"id":7}');
    expect(sink.lines[1]).toContain('"__proto__":"v","y":2');
    expect(sink.lines[0]).not.toContain("hunter2");
  });

  it("a field named level beside one named _level writes both under distinct keys, not _level twice", () => {
    const sink = memorySink();
    createLogger({ sink }).info("m", { level: 1, _level: 4, msg: "x" });
    const line = sink.lines[0]!;
    expect(line.match(/"_level":/g)).toHaveLength(1);
    expect(JSON.parse(line)).toMatchObject({ level: 30, __level: 1, _level: 4, _msg: "x", msg: "m" });
  });

  it("a clock that throws or reads NaN still writes the line, with a JSON time", () => {
    const sink = memorySink();
    createLogger({ sink, clock: { now: () => Number.NaN, sleep: async () => {} } }).info("nan clock");
    createLogger({
      sink,
      clock: {
        now: () => {
          throw new Error("clock broke");
        },
        sleep: async () => {},
      },
    }).info("throwing clock");
    expect(sink.lines).toHaveLength(2);
    for (const line of sink.lines) expect(Number.isFinite((JSON.parse(line) as { time: number }).time)).toBe(true);
  });
});
