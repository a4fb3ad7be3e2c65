import type {
  Attributes,
  Context,
  Exception,
  Link,
  Span,
  SpanAttributeValue,
  SpanContext,
  SpanOptions,
  SpanStatus,
  TimeInput,
  Tracer,
  TracerProvider,
} from "@opentelemetry/api";
import { nanosString, toOtlpAttributes, type SpanRecord } from "./otlp-json.ts";
import type { Sampler } from "./sampler.ts";

/** The parts of @opentelemetry/api the tracer uses at run time (handed in: the module is loaded lazily). */
export interface OtelApi {
  trace: {
    getSpanContext(context: Context): SpanContext | undefined;
    setSpan(context: Context, span: Span): Context;
    isSpanContextValid(spanContext: SpanContext): boolean;
    wrapSpanContext(spanContext: SpanContext): Span;
  };
  context: {
    active(): Context;
    with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
      context: Context,
      fn: F,
      thisArg?: ThisParameterType<F>,
      ...args: A
    ): ReturnType<F>;
  };
}

type SpanSink = (record: SpanRecord) => void;

/** Epoch ms with sub-millisecond precision where the runtime offers it. */
function nowMs(): number {
  return typeof performance !== "undefined" && typeof performance.timeOrigin === "number"
    ? performance.timeOrigin + performance.now()
    : Date.now();
}

function toEpochMs(time: TimeInput | undefined): number {
  if (time === undefined) return nowMs();
  if (typeof time === "number") return time;
  if (time instanceof Date) return time.getTime();
  return time[0] * 1000 + time[1] / 1e6; // HrTime [seconds, nanoseconds]
}

function randomHex(bytes: number): string {
  const buffer = crypto.getRandomValues(new Uint8Array(bytes));
  let out = "";
  for (const byte of buffer) out += byte.toString(16).padStart(2, "0");
  return out;
}

/** A recording span that becomes an OTLP span record when it ends. */
class ExportingSpan implements Span {
  readonly #context: SpanContext;
  readonly #parentSpanId: string | undefined;
  readonly #sink: SpanSink;
  readonly #kind: number;
  readonly #start: number;
  readonly #attributes: Record<string, unknown> = {};
  readonly #events: SpanRecord["events"] = [];
  #name: string;
  #status: SpanStatus = { code: 0 };
  #ended = false;

  constructor(
    name: string,
    context: SpanContext,
    parentSpanId: string | undefined,
    options: SpanOptions,
    sink: SpanSink,
  ) {
    this.#name = name;
    this.#context = context;
    this.#parentSpanId = parentSpanId;
    this.#sink = sink;
    this.#kind = (options.kind ?? 0) + 1; // API SpanKind (INTERNAL = 0) -> OTLP (INTERNAL = 1)
    this.#start = toEpochMs(options.startTime);
    if (options.attributes) this.setAttributes(options.attributes);
  }

  spanContext(): SpanContext {
    return this.#context;
  }

  setAttribute(key: string, value: SpanAttributeValue): this {
    if (!this.#ended && value !== undefined && value !== null) this.#attributes[key] = value;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const [key, value] of Object.entries(attributes)) this.setAttribute(key, value as SpanAttributeValue);
    return this;
  }

  addEvent(name: string, attributesOrStartTime?: Attributes | TimeInput, startTime?: TimeInput): this {
    if (this.#ended) return this;
    const isTime =
      typeof attributesOrStartTime === "number" ||
      attributesOrStartTime instanceof Date ||
      Array.isArray(attributesOrStartTime);
    const attributes = isTime ? undefined : (attributesOrStartTime as Attributes | undefined);
    const time = isTime ? (attributesOrStartTime as TimeInput) : startTime;
    this.#events.push({ name, timeUnixNano: nanosString(toEpochMs(time)), attributes: toOtlpAttributes(attributes) });
    return this;
  }

  addLink(_link: Link): this {
    return this; // links are not exported by this small exporter
  }

  addLinks(_links: Link[]): this {
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (!this.#ended) this.#status = status;
    return this;
  }

  updateName(name: string): this {
    if (!this.#ended) this.#name = name;
    return this;
  }

  isRecording(): boolean {
    return !this.#ended;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes =
      typeof exception === "string"
        ? { "exception.message": exception }
        : {
            "exception.type": String(exception.name ?? exception.code ?? "Error"),
            "exception.message": String(exception.message ?? ""),
          };
    this.addEvent("exception", attributes, time);
  }

  end(endTime?: TimeInput): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#sink({
      traceId: this.#context.traceId,
      spanId: this.#context.spanId,
      ...(this.#parentSpanId ? { parentSpanId: this.#parentSpanId } : {}),
      name: this.#name,
      kind: this.#kind,
      startTimeUnixNano: nanosString(this.#start),
      endTimeUnixNano: nanosString(Math.max(this.#start, toEpochMs(endTime))),
      attributes: toOtlpAttributes(this.#attributes),
      events: this.#events,
      status:
        this.#status.message === undefined
          ? { code: this.#status.code }
          : { code: this.#status.code, message: this.#status.message },
    });
  }
}

/**
 * A Tracer of the OpenTelemetry API whose spans go to one sink (the OTLP exporter). A span the sampler drops is the
 * API's non-recording span: it carries its trace on (unsampled, so children parent-based samplers drop too) and
 * never reaches the sink.
 */
export class ExportingTracer implements Tracer {
  readonly #api: OtelApi;
  readonly #sink: SpanSink;
  readonly #sample: Sampler;

  constructor(api: OtelApi, sink: SpanSink, sample: Sampler) {
    this.#api = api;
    this.#sink = sink;
    this.#sample = sample;
  }

  startSpan(name: string, options: SpanOptions = {}, context?: Context): Span {
    const found = options.root ? undefined : this.#api.trace.getSpanContext(context ?? this.#api.context.active());
    const parent = found && this.#api.trace.isSpanContextValid(found) ? found : undefined;
    const traceId = parent?.traceId ?? randomHex(16);
    const spanId = randomHex(8);
    if (!this.#sample(traceId, parent)) return this.#api.trace.wrapSpanContext({ traceId, spanId, traceFlags: 0 });
    return new ExportingSpan(name, { traceId, spanId, traceFlags: 1 }, parent?.spanId, options, this.#sink);
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: unknown[]): ReturnType<F> {
    const fn = rest.pop() as F;
    const [options, context] = rest as [SpanOptions | undefined, Context | undefined];
    const parentContext = context ?? this.#api.context.active();
    const span = this.startSpan(name, options, parentContext);
    return this.#api.context.with(
      this.#api.trace.setSpan(parentContext, span),
      fn as (span: Span) => ReturnType<F>,
      undefined,
      span,
    );
  }
}

/** A TracerProvider of the OpenTelemetry API over one sink. */
export class ExportingTracerProvider implements TracerProvider {
  readonly #tracer: ExportingTracer;

  constructor(api: OtelApi, sink: SpanSink, sample: Sampler) {
    this.#tracer = new ExportingTracer(api, sink, sample);
  }

  getTracer(): Tracer {
    return this.#tracer;
  }
}
