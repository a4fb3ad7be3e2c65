/** An item the buffer can hold; `live` false means it was removed in place (cancelled) and is skipped. */
export interface BufferItem {
  readonly priority: number;
  live: boolean;
}

interface Level<T> {
  readonly priority: number;
  items: T[];
  head: number;
  /** Live items in this level (always > 0 while the level is in the buffer). */
  live: number;
}

/** A level holding at least this many removed items, and more removed than live ones, is compacted. */
const COMPACT_MIN_DEAD = 64;

/**
 * Priority levels, highest first, each a FIFO. Removal is lazy (mark the item dead) so cancelling a queued task
 * is O(1) amortized. Dead items never pile up: a level whose last live item goes is dropped at once, and a level
 * with more dead items than live ones is compacted, so what the buffer retains stays within about twice what it
 * holds (a cancelled task's closure and payload are released even while new work keeps bypassing the buffer).
 */
export class PriorityBuffer<T extends BufferItem> {
  /** Sorted by priority, highest first; few levels in practice, so a linear scan is fastest. */
  #levels: Level<T>[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /**
   * Slots the buffer holds on to, dead ones included (what a leak would grow). For tests.
   * @internal
   */
  get retained(): number {
    let slots = 0;
    for (const level of this.#levels) slots += level.items.length - level.head;
    return slots;
  }

  /** The priority of the item shift() would return, or undefined when empty. */
  get firstPriority(): number | undefined {
    return this.#levels[0]?.priority;
  }

  push(item: T): void {
    let level: Level<T> | undefined;
    for (const candidate of this.#levels) {
      if (candidate.priority === item.priority) {
        level = candidate;
        break;
      }
    }
    if (!level) {
      level = { priority: item.priority, items: [], head: 0, live: 0 };
      let index = 0;
      while (index < this.#levels.length && this.#levels[index]!.priority > item.priority) index++;
      this.#levels.splice(index, 0, level);
    }
    level.items.push(item);
    level.live++;
    this.#size++;
  }

  /** Live items per priority, highest first (levels are few: a scan at scrape time). */
  sizes(): { priority: number; size: number }[] {
    return this.#levels.map((level) => ({ priority: level.priority, size: level.live }));
  }

  /** Marks a queued item as removed; it will be skipped, and released once dead items outnumber live ones. */
  remove(item: T): void {
    if (!item.live) return;
    item.live = false;
    this.#size--;
    for (let index = 0; index < this.#levels.length; index++) {
      const level = this.#levels[index]!;
      if (level.priority !== item.priority) continue;
      level.live--;
      if (level.live === 0) {
        this.#levels.splice(index, 1);
      } else {
        const dead = level.items.length - level.head - level.live;
        if (dead >= COMPACT_MIN_DEAD && dead > level.live) {
          const kept: T[] = [];
          for (let i = level.head; i < level.items.length; i++) if (level.items[i]!.live) kept.push(level.items[i]!);
          level.items = kept;
          level.head = 0;
        }
      }
      return;
    }
  }

  /** The next live item (highest priority, oldest first), or undefined. Empty levels are dropped. */
  shift(): T | undefined {
    const level = this.#levels[0];
    if (!level) return undefined;
    while (level.head < level.items.length) {
      const item = level.items[level.head]!;
      level.items[level.head] = undefined as unknown as T;
      level.head++;
      if (!item.live) continue;
      item.live = false;
      this.#size--;
      level.live--;
      if (level.live === 0) this.#levels.shift();
      else if (level.head > 1024 && level.head * 2 > level.items.length) {
        level.items = level.items.slice(level.head);
        level.head = 0;
      }
      return item;
    }
    // Unreachable while every level holds a live item; kept so a broken invariant cannot loop.
    this.#levels.shift();
    return this.shift();
  }

  /** Removes and returns every live item, highest priority first. */
  drain(): T[] {
    const out: T[] = [];
    for (let item = this.shift(); item; item = this.shift()) out.push(item);
    this.#levels = [];
    return out;
  }

  /** Removes and returns every live item whose priority is below `priority`, highest first. */
  drainBelow(priority: number): T[] {
    const out: T[] = [];
    const kept: Level<T>[] = [];
    for (const level of this.#levels) {
      if (level.priority >= priority) {
        kept.push(level);
        continue;
      }
      for (let i = level.head; i < level.items.length; i++) {
        const item = level.items[i]!;
        if (!item.live) continue;
        item.live = false;
        this.#size--;
        out.push(item);
      }
    }
    this.#levels = kept;
    return out;
  }
}
