/** An item the buffer can hold; `live` false means it was removed in place (cancelled) and is skipped. */
export interface BufferItem {
  readonly priority: number;
  live: boolean;
}

interface Level<T> {
  readonly priority: number;
  items: T[];
  head: number;
  /** Live items in this level. */
  live: number;
}

/**
 * Priority levels, highest first, each a FIFO. Removal is lazy (mark the item dead) so cancelling a queued task
 * is O(1); dead items are dropped when they reach the front.
 */
export class PriorityBuffer<T extends BufferItem> {
  /** Sorted by priority, highest first; few levels in practice, so a linear scan is fastest. */
  #levels: Level<T>[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
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
    return this.#levels
      .filter((level) => level.live > 0)
      .map((level) => ({ priority: level.priority, size: level.live }));
  }

  /** Marks a queued item as removed; it will be skipped. */
  remove(item: T): void {
    if (!item.live) return;
    item.live = false;
    this.#size--;
    for (const level of this.#levels) {
      if (level.priority === item.priority) {
        level.live--;
        break;
      }
    }
  }

  /** The next live item (highest priority, oldest first), or undefined. Empty levels are dropped. */
  shift(): T | undefined {
    while (this.#size > 0 && this.#levels.length > 0) {
      const level = this.#levels[0]!;
      while (level.head < level.items.length) {
        const item = level.items[level.head]!;
        level.items[level.head] = undefined as unknown as T;
        level.head++;
        if (level.head > 1024 && level.head * 2 > level.items.length) {
          level.items = level.items.slice(level.head);
          level.head = 0;
        }
        if (item.live) {
          item.live = false;
          this.#size--;
          level.live--;
          if (level.head === level.items.length) this.#levels.shift();
          return item;
        }
      }
      this.#levels.shift();
    }
    return undefined;
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
