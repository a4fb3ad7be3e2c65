import { ConfigError } from "./errors.ts";

/**
 * A small JSON / JSONC parser with positions. JSONC adds `//` and `/* *\/` comments and trailing commas;
 * strings are never touched. Written here (not JSON.parse) because JSON.parse reports positions differently
 * on V8 and JavaScriptCore, accepts duplicate keys silently, and we want `__proto__` kept as a plain key.
 */
export interface JsonParseOptions {
  comments: boolean;
  trailingCommas: boolean;
  source?: string;
}

const MAX_DEPTH = 256;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS: ReadonlyArray<[string, unknown]> = [
  ["true", true],
  ["false", false],
  ["null", null],
];

export function parseJson(text: string, options: JsonParseOptions): unknown {
  return new JsonParser(text, options).parseDocument();
}

class JsonParser {
  private offset = 0;
  private readonly text: string;
  private readonly options: JsonParseOptions;

  constructor(text: string, options: JsonParseOptions) {
    this.text = text;
    this.options = options;
    if (text.charCodeAt(0) === 0xfeff) this.offset = 1;
  }

  parseDocument(): unknown {
    this.skipTrivia();
    if (this.offset >= this.text.length) this.fail("a JSON value", "the document is empty");
    const value = this.parseValue(0);
    this.skipTrivia();
    if (this.offset < this.text.length) this.fail("the end of the document", "unexpected text after the document");
    return value;
  }

  private parseValue(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail(`at most ${MAX_DEPTH} levels of nesting`, "nested too deeply");
    const char = this.text[this.offset];
    if (char === "{") return this.parseObject(depth);
    if (char === "[") return this.parseArray(depth);
    if (char === '"') return this.parseString();
    if (char === "-" || (char !== undefined && char >= "0" && char <= "9")) return this.parseNumber();
    for (const [word, value] of LITERALS) {
      if (this.text.startsWith(word, this.offset)) {
        this.offset += word.length;
        return value;
      }
    }
    return this.fail("a value (object, array, string, number, true, false or null)", "unexpected character");
  }

  private parseObject(depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.offset++; // {
    this.skipTrivia();
    if (this.text[this.offset] === "}") {
      this.offset++;
      return result;
    }
    for (;;) {
      this.skipTrivia();
      if (this.text[this.offset] !== '"') this.fail("a key in double quotes", "expected a property name");
      const keyOffset = this.offset;
      const key = this.parseString();
      if (Object.hasOwn(result, key)) {
        this.fail("each key once per object", `duplicate key ${JSON.stringify(key)}`, keyOffset);
      }
      this.skipTrivia();
      if (this.text[this.offset] !== ":") this.fail("':' after the key", "expected a colon");
      this.offset++;
      this.skipTrivia();
      // defineProperty: a "__proto__" key stays an ordinary own property and never becomes the prototype.
      Object.defineProperty(result, key, {
        value: this.parseValue(depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.skipTrivia();
      const next = this.text[this.offset];
      if (next === "}") {
        this.offset++;
        return result;
      }
      if (next !== ",") this.fail("',' or '}'", "expected a comma or the end of the object");
      this.offset++;
      this.skipTrivia();
      if (this.text[this.offset] === "}") {
        if (!this.options.trailingCommas) this.fail("another property after ','", "trailing comma (allowed in .jsonc)");
        this.offset++;
        return result;
      }
    }
  }

  private parseArray(depth: number): unknown[] {
    const result: unknown[] = [];
    this.offset++; // [
    this.skipTrivia();
    if (this.text[this.offset] === "]") {
      this.offset++;
      return result;
    }
    for (;;) {
      this.skipTrivia();
      result.push(this.parseValue(depth + 1));
      this.skipTrivia();
      const next = this.text[this.offset];
      if (next === "]") {
        this.offset++;
        return result;
      }
      if (next !== ",") this.fail("',' or ']'", "expected a comma or the end of the array");
      this.offset++;
      this.skipTrivia();
      if (this.text[this.offset] === "]") {
        if (!this.options.trailingCommas) this.fail("another value after ','", "trailing comma (allowed in .jsonc)");
        this.offset++;
        return result;
      }
    }
  }

  private parseString(): string {
    const end = stringEnd(this.text, this.offset);
    if (end < 0) this.fail("a string in double quotes with valid escapes and no raw line breaks", "invalid string");
    const literal = this.text.slice(this.offset, end);
    this.offset = end;
    return JSON.parse(literal) as string;
  }

  private parseNumber(): number {
    NUMBER.lastIndex = this.offset;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail("a number such as 10, -1.5 or 2e3", "invalid number");
    this.offset += match[0].length;
    return Number(match[0]);
  }

  private skipTrivia(): void {
    const text = this.text;
    for (;;) {
      const char = text[this.offset];
      if (char === " " || char === "\t" || char === "\n" || char === "\r") {
        this.offset++;
      } else if (char === "/" && (text[this.offset + 1] === "/" || text[this.offset + 1] === "*")) {
        if (!this.options.comments)
          this.fail("no comments (comments are allowed in .jsonc and .yaml files)", "comment in a .json file");
        if (text[this.offset + 1] === "/") {
          const end = text.indexOf("\n", this.offset);
          this.offset = end === -1 ? text.length : end + 1;
        } else {
          const end = text.indexOf("*/", this.offset + 2);
          if (end === -1) this.fail("'*/' closing the comment", "unterminated comment");
          this.offset = end + 2;
        }
      } else {
        return;
      }
    }
  }

  private fail(expected: string, problem: string, at = this.offset): never {
    const { line, column } = lineAndColumn(this.text, at);
    const atEnd = at >= this.text.length;
    const near = atEnd ? "" : this.text.slice(at, at + 20).split("\n")[0]!;
    const message = atEnd ? `${problem} (the input ended)` : problem;
    const source = this.options.source === undefined ? {} : { source: this.options.source };
    throw new ConfigError("syntax", [{ path: "", value: near, expected, message, line, column }], source);
  }
}

/** 1-based line and column of a UTF-16 offset. */
/**
 * Offset just past the JSON string literal starting at `start`, or -1 when it is not one. A loop, not a regular
 * expression: a `(...|...)*` pattern recurses per character in V8 and overflows the stack on strings of megabytes.
 */
function stringEnd(text: string, start: number): number {
  if (text.charCodeAt(start) !== 0x22) return -1;
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) return -1;
    if (c !== 0x5c) continue;
    const next = text[++i];
    if (next === "u") {
      if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) return -1;
      i += 4;
    } else if (next === undefined || !'"\\/bfnrt'.includes(next)) {
      return -1;
    }
  }
  return -1;
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf("\n"); index !== -1 && index < offset; index = text.indexOf("\n", index + 1)) {
    line++;
    lineStart = index + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
