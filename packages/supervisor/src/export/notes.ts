/** One manifest field the export target cannot express exactly: printed on stderr by `aral export`, by name. */
export interface ExportNote {
  /** Agent the note is about (a fleet exports several). */
  agent: string;
  /**
   * Full manifest path of the field, e.g. "layers.runtime.resources.memory.swap"; or, in parentheses, what is not a
   * manifest field: "(instances)", "(working directory)", "(entry)", "(manifest)", "(executable)".
   */
  field: string;
  /**
   * - `not-expressible`: the target has no equivalent; the field has no effect there (or only in-process);
   * - `approximated`: expressed, but rounded or replaced (what was emitted is in the message).
   */
  kind: "not-expressible" | "approximated";
  message: string;
}

export function formatNote(note: ExportNote): string {
  return `${note.agent}: ${note.field} ${note.kind === "not-expressible" ? "cannot be expressed" : "approximated"}: ${note.message}`;
}

/** Collects the notes of one agent's export. */
export class Notes {
  readonly list: ExportNote[] = [];
  readonly #agent: string;
  /** `layers.runtime` exactly as written (no defaults), to tell a field the user set from a default. */
  readonly #written: unknown;

  constructor(agent: string, written: unknown) {
    this.#agent = agent;
    this.#written = written;
  }

  /** Whether the manifest itself sets `layers.runtime.<path>` (a default is not the user's field). */
  written(path: string): boolean {
    let node: unknown = this.#written;
    for (const key of path.split(".")) {
      if (node === null || typeof node !== "object" || !Object.hasOwn(node, key)) return false;
      node = (node as Record<string, unknown>)[key];
    }
    return node !== undefined;
  }

  notExpressible(path: string, message: string): void {
    this.list.push({ agent: this.#agent, field: `layers.runtime.${path}`, kind: "not-expressible", message });
  }

  approximated(path: string, message: string): void {
    this.list.push({ agent: this.#agent, field: `layers.runtime.${path}`, kind: "approximated", message });
  }

  /** A note on what is not a manifest field (the entry, the working directory, the manifest file itself). */
  unreachable(what: string, message: string): void {
    this.list.push({ agent: this.#agent, field: what, kind: "not-expressible", message });
  }

  /** An approximation of what is not a manifest field (a fleet agent's `ready.url`). */
  approximatedOutside(what: string, message: string): void {
    this.list.push({ agent: this.#agent, field: what, kind: "approximated", message });
  }
}
