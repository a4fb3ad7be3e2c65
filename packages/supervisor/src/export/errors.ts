/** A bad export request (an option or a fleet agent the target cannot take), naming what was wrong. */
export class ExportError extends Error {
  override readonly name = "ExportError";
  /** The option or field at fault ("kind", "image", "name", ...). */
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}
