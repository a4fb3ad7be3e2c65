import { SupervisorConfigError } from "./errors.ts";

/** Names every supervised child keeps: what any program needs to run, plus the ARAL_* configuration. */
const ALWAYS_KEPT = new Set(["PATH", "HOME", "LANG", "TZ", "TMPDIR"]);
const KEPT_PREFIXES = ["LC_", "ARAL_"];
/**
 * ARAL_* variables that name one process or one agent's manifest, never passed down from the parent: the caller sets
 * them for the child it starts (aral run and aral up set ARAL_MANIFEST for an agent with a manifest). Inherited, every
 * child would share the parent's instance id, and an agent without a manifest would read one that is not its own.
 */
const NOT_INHERITED = new Set(["ARAL_INSTANCE_ID", "ARAL_MANIFEST"]);

export interface ChildEnvironmentOptions {
  /** Further variable names the child may see (exact names, case-sensitive). */
  allow?: readonly string[];
}

/**
 * Least privilege: the part of `parentEnv` a supervised child may see - PATH, HOME, LANG, LC_*, TZ, TMPDIR,
 * every ARAL_* variable but ARAL_INSTANCE_ID and ARAL_MANIFEST, and the names in `allow`; nothing else (no tokens,
 * keys or cloud credentials by accident). Spawn the child with `clearEnv: true` so nothing else is inherited either.
 */
export function childEnvironment(
  parentEnv: Readonly<Record<string, string | undefined>>,
  options: ChildEnvironmentOptions = {},
): Record<string, string> {
  if (parentEnv === null || typeof parentEnv !== "object") {
    throw new SupervisorConfigError(
      "parentEnv",
      `childEnvironment: parentEnv must be an object of strings, got ${parentEnv === null ? "null" : typeof parentEnv}`,
    );
  }
  const allow = options.allow ?? [];
  if (!Array.isArray(allow))
    throw new SupervisorConfigError("allow", "childEnvironment: allow must be an array of variable names");
  for (const name of allow) {
    if (typeof name !== "string" || name === "" || name.includes("=") || name.includes("\0")) {
      throw new SupervisorConfigError(
        "allow",
        `childEnvironment: allow lists ${JSON.stringify(name)}, which is not a variable name`,
      );
    }
  }
  const allowed = new Set(allow);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parentEnv)) {
    if (typeof value !== "string" || NOT_INHERITED.has(name)) continue;
    if (ALWAYS_KEPT.has(name) || allowed.has(name) || KEPT_PREFIXES.some((prefix) => name.startsWith(prefix)))
      env[name] = value;
  }
  return env;
}
