/**
 * A version-4 UUID naming one runtime instance in logs, metrics and health answers. It needs to be unique, not
 * secret, so it comes from Math.random (which V8, JavaScriptCore and Deno seed from the OS per process) rather
 * than `crypto.randomUUID()`: on Node the first touch of the `crypto` global loads WebCrypto, ~25 ms of CPU at
 * every agent start.
 */
export function newInstanceId(): string {
  const hex: string[] = [];
  for (let i = 0; i < 32; i++) hex.push(((Math.random() * 16) | 0).toString(16));
  hex[12] = "4";
  hex[16] = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = hex.join("");
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
