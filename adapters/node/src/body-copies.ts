import { Buffer } from "node:buffer";

/**
 * Copies of response body bytes (a Response copies the bytes it is given), recycled once they were sent.
 * Fresh memory per response is what made a 64 KiB body slow: each new 64 KiB allocation page-faults its
 * way in (measured here: `new Uint8Array(64 KiB)` ~100 us, TypedArray `slice()` ~200 us, and the kernel's
 * write from fresh pages costs more too), against ~40 us for raw node:http's whole request. A copy into
 * memory already in use costs one memcpy. Sizes up to 4 KiB come from Node's own Buffer pool; above 1 MiB
 * the copy is plain (the write itself dominates). At most 4 MiB are kept for reuse.
 */
const SMALLEST_CLASS = 8 * 1024;
const LARGEST_CLASS = 1024 * 1024;
const KEPT_BYTES = 4 * 1024 * 1024;

const free = new Map<number, ArrayBuffer[]>();
/** every buffer this module hands out for reuse: only these are ever taken back */
const ours = new WeakSet<ArrayBuffer>();
/** those in `free` now (a second recycle of one copy must not hand it out twice) */
const idle = new WeakSet<ArrayBuffer>();

function classOf(length: number): number {
  let size = SMALLEST_CLASS;
  while (size < length) size *= 2;
  return size;
}

/** A copy of `bytes` that no one else holds. */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const length = bytes.byteLength;
  if (length <= Buffer.poolSize >>> 1 || length > LARGEST_CLASS) {
    const copy = Buffer.allocUnsafe(length);
    copy.set(bytes);
    return copy;
  }
  const size = classOf(length);
  let backing = free.get(size)?.pop();
  if (backing) idle.delete(backing);
  else {
    backing = new ArrayBuffer(size);
    ours.add(backing);
  }
  const copy = new Uint8Array(backing, 0, length);
  copy.set(bytes);
  return copy;
}

/** Takes back a copy from copyBytes once nothing reads it any more (it was written out); others are ignored. */
export function recycle(copy: Uint8Array): void {
  const backing = copy.buffer as ArrayBuffer;
  if (!ours.has(backing) || idle.has(backing)) return;
  const size = backing.byteLength;
  let list = free.get(size);
  if (!list) free.set(size, (list = []));
  if (list.length >= KEPT_BYTES / size) return;
  list.push(backing);
  idle.add(backing);
}
