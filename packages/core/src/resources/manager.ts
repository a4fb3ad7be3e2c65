import { formatBytes, formatCpu, parseBytes, parseCpu, QuantityError } from "./quantity.ts";
import { resolveResources } from "./config.ts";
import type { ResolvedResources, ResourcesConfig } from "./config.ts";
import { ResourceLimitError, ResourceRequestError } from "./errors.ts";
import type { ResourceKind } from "./errors.ts";
import { asyncDisposeSymbol, disposeSymbol } from "./dispose-symbols.ts";

export const RESOURCE_KINDS: readonly ResourceKind[] = ["cpu", "memory", "storage", "connections"];

/** What allocate() takes: quantities as the user writes them ("500m", "200Mi", 3). */
export interface AllocationRequest {
  cpu?: string | number;
  memory?: string | number;
  storage?: string | number;
  connections?: number;
}

/** What shares `network.connections` with connection leases: runtime.fetch's slots (LimitedFetch). */
export interface ConnectionPool {
  /** Slots held by requests now. */
  readonly active: number;
  /** Leased connections, to be counted as busy slots. */
  reserveConnections(slots: number): void;
}

/** Amounts in base units: cores, bytes, bytes, connections. */
export type ResourceAmounts = Record<ResourceKind, number>;

export interface Lease {
  readonly id: number;
  /** What this lease holds, in base units. */
  readonly amounts: Readonly<ResourceAmounts>;
  readonly released: boolean;
  /** Gives the amounts back. Calling it again does nothing. */
  release(): void;
  [Symbol.dispose](): void;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface ResourceKindUsage {
  /** null: no limit configured. */
  readonly limit: number | null;
  /** The guaranteed reservation (the config's `request`), 0 when none. */
  readonly request: number;
  readonly allocated: number;
  /** null when unlimited. */
  readonly available: number | null;
}

export type ResourceUsage = Record<ResourceKind, ResourceKindUsage> & { readonly leases: number };

export type ResourceEvent =
  | {
      readonly type: "allocated";
      readonly leaseId: number;
      readonly amounts: Readonly<ResourceAmounts>;
      readonly allocated: Readonly<ResourceAmounts>;
    }
  | {
      readonly type: "released";
      readonly leaseId: number;
      readonly amounts: Readonly<ResourceAmounts>;
      readonly allocated: Readonly<ResourceAmounts>;
    }
  | {
      readonly type: "denied";
      readonly request: Readonly<Partial<ResourceAmounts>>;
      readonly reason: string;
      readonly error: ResourceLimitError;
    };

export type ResourceEventListener = (event: ResourceEvent) => void;

const FORMAT: Record<ResourceKind, (n: number) => string> = {
  cpu: (n) => formatCpu(n),
  memory: (n) => (Number.isSafeInteger(n) ? formatBytes(n) : String(n)),
  storage: (n) => (Number.isSafeInteger(n) ? formatBytes(n) : String(n)),
  connections: (n) => String(n),
};

function zero(): ResourceAmounts {
  return { cpu: 0, memory: 0, storage: 0, connections: 0 };
}

/**
 * Leases CPU, memory, storage and connections against the manifest's limits. Book-keeping, not an OS
 * control: the monitor watches what the process really uses, and the supervisor can enforce hard limits.
 * Check-and-reserve is synchronous, so concurrent callers can never overshoot a limit together.
 */
export class ResourceManager {
  readonly config: ResolvedResources;
  readonly #limits: Record<ResourceKind, number | null>;
  readonly #requests: ResourceAmounts;
  readonly #allocated: ResourceAmounts = zero();
  readonly #leases = new Map<number, HeldLease>();
  readonly #listeners = new Set<ResourceEventListener>();
  #nextId = 1;
  #connectionPool: ConnectionPool | undefined;

  constructor(resources: ResourcesConfig | ResolvedResources | undefined = {}) {
    this.config = resolveResources(resources);
    this.#limits = {
      cpu: this.config.cpu.limit ?? null,
      memory: this.config.memory.limit ?? null,
      storage: this.config.storage.maxSize ?? null,
      connections: this.config.network.connections ?? null,
    };
    this.#requests = { ...zero(), cpu: this.config.cpu.request ?? 0, memory: this.config.memory.request ?? 0 };
  }

  /**
   * Makes `pool` (runtime.fetch) and connection leases share `network.connections`: a lease counts the pool's busy
   * slots as taken, and the pool counts leased connections as busy, so both together never pass the limit.
   */
  shareConnections(pool: ConnectionPool): void {
    this.#connectionPool = pool;
    pool.reserveConnections(this.#allocated.connections);
  }

  /** Reserves every requested kind at once, or nothing: a request over any limit rejects with ResourceLimitError. */
  async allocate(request: AllocationRequest = {}): Promise<Lease> {
    const amounts = parseRequest(request);
    for (const kind of RESOURCE_KINDS) {
      const limit = this.#limits[kind];
      const wanted = amounts[kind];
      if (limit === null || wanted === 0) continue;
      const inPool = kind === "connections" ? (this.#connectionPool?.active ?? 0) : 0;
      const available = Math.max(0, limit - this.#allocated[kind] - inPool);
      if (wanted > available + 1e-9) {
        const error = new ResourceLimitError(kind, wanted, available, limit, {
          requested: FORMAT[kind](wanted),
          available: FORMAT[kind](available),
          limit: FORMAT[kind](limit),
        });
        if (this.#listeners.size)
          this.#emit({ type: "denied", request: definedOnly(amounts), reason: error.message, error });
        throw error;
      }
    }
    for (const kind of RESOURCE_KINDS) this.#allocated[kind] += amounts[kind];
    if (amounts.connections > 0) this.#connectionPool?.reserveConnections(this.#allocated.connections);
    const lease = this.#lease(amounts);
    if (this.#listeners.size)
      this.#emit({ type: "allocated", leaseId: lease.id, amounts: lease.amounts, allocated: { ...this.#allocated } });
    return lease;
  }

  /** The guaranteed reservations (the config's `request` values), in base units. */
  reserved(): Readonly<ResourceAmounts> {
    return { ...this.#requests };
  }

  usage(): ResourceUsage {
    const kind = (k: ResourceKind): ResourceKindUsage => {
      const limit = this.#limits[k];
      return {
        limit,
        request: this.#requests[k],
        allocated: this.#allocated[k],
        available: limit === null ? null : Math.max(0, limit - this.#allocated[k]),
      };
    };
    return {
      cpu: kind("cpu"),
      memory: kind("memory"),
      storage: kind("storage"),
      connections: kind("connections"),
      leases: this.#leases.size,
    };
  }

  /** Subscribes to every allocation, release and denial. Returns unsubscribe. */
  onEvent(listener: ResourceEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Leases still held. */
  get activeLeases(): number {
    return this.#leases.size;
  }

  /** Releases every lease still held (used when the runtime stops). */
  releaseAll(): void {
    for (const lease of [...this.#leases.values()]) lease.release();
  }

  #lease(amounts: ResourceAmounts): Lease {
    const lease = new HeldLease(this.#nextId++, amounts, (held) => {
      for (const kind of RESOURCE_KINDS)
        this.#allocated[kind] = Math.max(0, this.#allocated[kind] - held.amounts[kind]);
      this.#leases.delete(held.id);
      if (held.amounts.connections > 0) this.#connectionPool?.reserveConnections(this.#allocated.connections);
      if (this.#listeners.size)
        this.#emit({ type: "released", leaseId: held.id, amounts: held.amounts, allocated: { ...this.#allocated } });
    });
    this.#leases.set(lease.id, lease);
    return lease;
  }

  #emit(event: ResourceEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A broken listener (e.g. a failing log sink) must not change the outcome of an allocation.
      }
    }
  }
}

/** A lease as a class (not an object literal with closures): allocate/release is a hot path. */
class HeldLease implements Lease {
  readonly id: number;
  readonly amounts: Readonly<ResourceAmounts>;
  #released = false;
  readonly #onRelease: (lease: HeldLease) => void;

  constructor(id: number, amounts: ResourceAmounts, onRelease: (lease: HeldLease) => void) {
    this.id = id;
    this.amounts = Object.freeze(amounts);
    this.#onRelease = onRelease;
  }

  get released(): boolean {
    return this.#released;
  }

  /** An arrow property, so `lease.release` can be handed around as a callback. */
  readonly release = (): void => {
    if (this.#released) return;
    this.#released = true;
    this.#onRelease(this);
  };

  [disposeSymbol](): void {
    this.release();
  }

  async [asyncDisposeSymbol](): Promise<void> {
    this.release();
  }
}

function parseRequest(request: AllocationRequest): ResourceAmounts {
  if (request === null || typeof request !== "object" || Array.isArray(request)) {
    throw new ResourceRequestError("request", request, 'expected an object such as { memory: "200Mi", cpu: "500m" }');
  }
  const amounts = zero();
  for (const [key, value] of Object.entries(request)) {
    if (value === undefined) continue;
    if (!(RESOURCE_KINDS as readonly string[]).includes(key)) {
      throw new ResourceRequestError(key, value, `unknown resource kind (known: ${RESOURCE_KINDS.join(", ")})`);
    }
    amounts[key as ResourceKind] = parseAmount(key as ResourceKind, value);
  }
  return amounts;
}

function parseAmount(kind: ResourceKind, value: unknown): number {
  if (kind === "connections") {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      throw new ResourceRequestError(kind, value, "expected a whole, non-negative number of connections");
    }
    return value;
  }
  if (typeof value === "string") {
    const cached = (kind === "cpu" ? CPU_CACHE : BYTES_CACHE).get(value);
    if (cached !== undefined) return cached;
  }
  try {
    const amount = kind === "cpu" ? parseCpu(value as string | number) : parseBytes(value as string | number);
    if (typeof value === "string") remember(kind === "cpu" ? CPU_CACHE : BYTES_CACHE, value, amount);
    return amount;
  } catch (error) {
    if (error instanceof QuantityError) throw new ResourceRequestError(kind, value, error.reason, { cause: error });
    throw error;
  }
}

/** Parsed quantity strings: callers repeat the same few ("1Mi", "500m"), and parsing is most of allocate's cost. */
const CPU_CACHE = new Map<string, number>();
const BYTES_CACHE = new Map<string, number>();
const CACHE_SIZE = 256;

function remember(cache: Map<string, number>, text: string, amount: number): void {
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(text, amount);
}

function definedOnly(amounts: ResourceAmounts): Partial<ResourceAmounts> {
  const out: Partial<ResourceAmounts> = {};
  for (const kind of RESOURCE_KINDS) if (amounts[kind] !== 0) out[kind] = amounts[kind];
  return out;
}
