/**
 * Where an export's problem lies: `option` - the request itself (an option, a missing --image), which `aral export`
 * answers with exit 2 like any usage error; `input` - the manifest or fleet file asks for something the target
 * cannot take (a path Deno's flags cannot carry, a variable name a Secret cannot hold), exit 1 like an invalid file.
 */
export type ExportErrorOrigin = "option" | "input";

/** A bad export request (an option or a fleet agent the target cannot take), naming what was wrong. */
export class ExportError extends Error {
  override readonly name = "ExportError";
  /** The option or field at fault: "kind", "image", "name", "agents[0].env[1]", "layers.runtime.logging.audit.path", ... */
  readonly field: string;
  /** Whether the request or the manifest / fleet file is at fault. */
  readonly origin: ExportErrorOrigin;

  constructor(field: string, message: string, origin: ExportErrorOrigin = "option") {
    super(message);
    this.field = field;
    this.origin = origin;
  }
}
