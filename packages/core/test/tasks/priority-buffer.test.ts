import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PriorityBuffer } from "../../src/tasks/priority-buffer.ts";

interface Item {
  priority: number;
  live: boolean;
  seq: number;
}

describe("PriorityBuffer", () => {
  it("yields live items highest priority first, FIFO within a level, whatever the interleaving (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ push: fc.integer({ min: -3, max: 3 }) }),
            fc.record({ remove: fc.nat(200) }),
            fc.constant({ shift: true }),
          ),
          { maxLength: 200 },
        ),
        (ops) => {
          const buffer = new PriorityBuffer<Item>();
          let model: Item[] = [];
          let seq = 0;
          for (const op of ops) {
            if ("push" in op) {
              const item = { priority: op.push, live: true, seq: seq++ };
              buffer.push(item);
              model.push(item);
            } else if ("remove" in op) {
              const victim = model[op.remove % Math.max(1, model.length)];
              if (victim) {
                buffer.remove(victim);
                model = model.filter((m) => m !== victim);
              }
            } else {
              const expected = [...model].sort((a, b) => b.priority - a.priority || a.seq - b.seq)[0];
              expect(buffer.shift()).toBe(expected);
              model = model.filter((m) => m !== expected);
            }
            expect(buffer.size).toBe(model.length);
          }
          const rest = buffer.drain();
          expect(rest).toEqual([...model].sort((a, b) => b.priority - a.priority || a.seq - b.seq));
          expect(buffer.size).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
