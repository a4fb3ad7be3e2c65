import { ConfigError } from "../config/errors.ts";

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

/** What ARAL_INSTANCE_ID may hold: 1 to 128 printable ASCII characters, no space (it becomes a log field and a label). */
const INSTANCE_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * The instance id the deployment names (a systemd template's `<name>-%i`, a Kubernetes pod's name), or nothing when the
 * variable is unset or empty. A value that is no instance id comes back as the ConfigError the start fails with.
 */
export function instanceIdFromEnvironment(value: string | undefined): { id?: string; error?: ConfigError } {
  const trimmed = value?.trim() ?? "";
  if (trimmed === "") return {};
  if (INSTANCE_ID.test(trimmed)) return { id: trimmed };
  return {
    error: new ConfigError("invalid", [
      {
        path: "",
        value,
        expected: "1 to 128 printable ASCII characters without spaces",
        message: "not an instance id",
        variable: "ARAL_INSTANCE_ID",
      },
    ]),
  };
}
