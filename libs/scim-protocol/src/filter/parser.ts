import { badRequest, type ScimError, type ScimType } from '../scim-error';
import { splitAttributePath } from '../schema/resource-schema';
import type { ResourceSchema } from '../schema/resource-schema';
import type { AttributePath, CompareOperator, FilterLiteral, FilterNode, PatchPath } from './ast';
import { validateFilter } from './operand';

type Token =
  | { readonly kind: '(' | ')' | '[' | ']' | 'eof'; readonly pos: number }
  | { readonly kind: 'word'; readonly text: string; readonly pos: number }
  | { readonly kind: 'string'; readonly value: string; readonly pos: number }
  | { readonly kind: 'number'; readonly value: number; readonly text: string; readonly pos: number };

const OPERATORS: ReadonlySet<string> = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const WORD_CHAR = /[A-Za-z0-9_:.$-]/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/;
const NAME = /^(?:\$ref|[A-Za-z][A-Za-z0-9_-]*)$/;

/**
 * Bounds on a filter or PATCH path, far above what IdPs send (a few comparisons): they keep the
 * parser's recursion, the AST walks and the stores' query depth (SQLite allows 1000) small.
 */
export const FILTER_LIMITS = { maxLength: 10_000, maxNesting: 32, maxComparisons: 200 } as const;

/** How much of the text an error detail quotes. */
const QUOTED_TEXT = 200;

class Parser {
  private readonly tokens: Token[];
  private index = 0;
  private nesting = 0;
  private comparisons = 0;

  constructor(
    private readonly text: string,
    private readonly scimType: ScimType,
    private readonly what: string,
  ) {
    if (text.length > FILTER_LIMITS.maxLength) {
      throw badRequest(scimType, `Invalid ${what}: longer than ${FILTER_LIMITS.maxLength} characters (the limit)`);
    }
    this.tokens = this.lex();
  }

  fail(message: string, pos: number): ScimError {
    const quoted = this.text.length > QUOTED_TEXT ? `${JSON.stringify(this.text.slice(0, QUOTED_TEXT))}…` : JSON.stringify(this.text);
    return badRequest(this.scimType, `Invalid ${this.what}: ${message} at character ${pos + 1} of ${quoted}`);
  }

  /** Parses `inner` one level deeper: parentheses, `not ( )` and value filters `[ ]` nest. */
  private nested<T>(pos: number, inner: () => T): T {
    if (++this.nesting > FILTER_LIMITS.maxNesting) throw this.fail(`nested deeper than ${FILTER_LIMITS.maxNesting} levels (the limit)`, pos);
    const result = inner();
    this.nesting--;
    return result;
  }

  private lex(): Token[] {
    const { text } = this;
    const tokens: Token[] = [];
    let i = 0;
    while (i < text.length) {
      const c = text[i];
      if (/\s/.test(c)) {
        i++;
      } else if (c === '(' || c === ')' || c === '[' || c === ']') {
        tokens.push({ kind: c, pos: i });
        i++;
      } else if (c === '"') {
        let j = i + 1;
        while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
        if (j >= text.length) throw this.fail('unterminated string', i);
        let value: string;
        try {
          value = JSON.parse(text.slice(i, j + 1)) as string;
        } catch {
          throw this.fail('invalid escape in string', i);
        }
        tokens.push({ kind: 'string', value, pos: i });
        i = j + 1;
      } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(text[i + 1] ?? ''))) {
        const match = NUMBER.exec(text.slice(i));
        const end = i + (match?.[0].length ?? 0);
        if (!match || (end < text.length && WORD_CHAR.test(text[end]))) throw this.fail('invalid number', i);
        tokens.push({ kind: 'number', value: Number(match[0]), text: match[0], pos: i });
        i = end;
      } else if (WORD_CHAR.test(c)) {
        let j = i;
        while (j < text.length && WORD_CHAR.test(text[j])) j++;
        tokens.push({ kind: 'word', text: text.slice(i, j), pos: i });
        i = j;
      } else {
        throw this.fail(`unexpected character ${JSON.stringify(c)}`, i);
      }
    }
    tokens.push({ kind: 'eof', pos: text.length });
    return tokens;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.index++;
    return token;
  }

  private isKeyword(token: Token, keyword: string): boolean {
    return token.kind === 'word' && token.text.toLowerCase() === keyword;
  }

  private expect(kind: '(' | ')' | ']' | 'eof', description: string): void {
    const token = this.next();
    if (token.kind !== kind) throw this.fail(`expected ${description}, found ${this.describe(token)}`, token.pos);
  }

  private describe(token: Token): string {
    switch (token.kind) {
      case 'eof':
        return 'the end of the text';
      case 'word':
        return JSON.stringify(token.text);
      case 'string':
        return 'a string';
      case 'number':
        return token.text;
      default:
        return `"${token.kind}"`;
    }
  }

  parseFilter(): FilterNode {
    const node = this.parseOr(false);
    this.expect('eof', '"and", "or" or the end of the filter');
    return node;
  }

  parsePath(): PatchPath {
    const token = this.next();
    if (token.kind !== 'word') throw this.fail(`expected an attribute path, found ${this.describe(token)}`, token.pos);
    const attribute = this.attributePath(token);
    let filter: FilterNode | undefined;
    let subAttr: string | undefined;
    if (this.peek().kind === '[') {
      if (attribute.subAttr !== undefined) throw this.fail('a value filter applies to an attribute, not a sub-attribute', token.pos);
      this.next();
      filter = this.nested(token.pos, () => this.parseOr(true));
      this.expect(']', '"]"');
      subAttr = this.trailingSubAttribute();
    }
    this.expect('eof', 'the end of the path');
    return { text: this.text, attribute, ...(filter ? { filter } : {}), ...(subAttr !== undefined ? { subAttr } : {}) };
  }

  private trailingSubAttribute(): string | undefined {
    const token = this.peek();
    if (token.kind !== 'word' || !token.text.startsWith('.')) return undefined;
    this.next();
    const name = token.text.slice(1);
    if (!NAME.test(name)) throw this.fail(`${JSON.stringify(token.text)} is not a sub-attribute`, token.pos);
    return name;
  }

  private parseOr(inValuePath: boolean): FilterNode {
    let left = this.parseAnd(inValuePath);
    while (this.isKeyword(this.peek(), 'or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd(inValuePath) };
    }
    return left;
  }

  private parseAnd(inValuePath: boolean): FilterNode {
    let left = this.parseUnary(inValuePath);
    while (this.isKeyword(this.peek(), 'and')) {
      this.next();
      left = { kind: 'and', left, right: this.parseUnary(inValuePath) };
    }
    return left;
  }

  private parseUnary(inValuePath: boolean): FilterNode {
    const token = this.peek();
    if (this.isKeyword(token, 'not') && this.peek(1).kind === '(') {
      this.next();
      this.next();
      const filter = this.nested(token.pos, () => this.parseOr(inValuePath));
      this.expect(')', '")"');
      return { kind: 'not', filter };
    }
    if (token.kind === '(') {
      this.next();
      const filter = this.nested(token.pos, () => this.parseOr(inValuePath));
      this.expect(')', '")"');
      return filter;
    }
    if (token.kind === 'word') return this.parseAttributeExpression(inValuePath);
    throw this.fail(`expected an attribute path, "(" or "not", found ${this.describe(token)}`, token.pos);
  }

  private attributePath(token: Token & { kind: 'word' }): AttributePath {
    const parts = splitAttributePath(token.text);
    if (!parts) throw this.fail(`${JSON.stringify(token.text)} is not an attribute path`, token.pos);
    return { ...parts, text: token.text, position: token.pos };
  }

  private parseAttributeExpression(inValuePath: boolean): FilterNode {
    const token = this.next() as Token & { kind: 'word' };
    const path = this.attributePath(token);
    if (inValuePath && (path.uri !== undefined || path.subAttr !== undefined)) {
      throw this.fail(`inside "[ ]" name a sub-attribute of the value, not ${JSON.stringify(token.text)}`, token.pos);
    }
    if (this.peek().kind === '[') {
      if (inValuePath) throw this.fail('value filters cannot be nested', this.peek().pos);
      if (path.subAttr !== undefined) throw this.fail('a value filter applies to an attribute, not a sub-attribute', token.pos);
      this.next();
      let filter = this.nested(token.pos, () => this.parseOr(true));
      this.expect(']', '"]"');
      const subPosition = this.peek().pos;
      const subAttr = this.trailingSubAttribute();
      if (subAttr !== undefined) {
        const subPath: AttributePath = { name: subAttr, text: subAttr, position: subPosition + 1 };
        filter = { kind: 'and', left: filter, right: this.parseOperation(subPath) };
      }
      return { kind: 'valuePath', path, filter };
    }
    return this.parseOperation(path);
  }

  private parseOperation(path: AttributePath): FilterNode {
    const token = this.next();
    // `a or b or …` builds a tree as deep as it is long.
    if (++this.comparisons > FILTER_LIMITS.maxComparisons) throw this.fail(`more than ${FILTER_LIMITS.maxComparisons} comparisons (the limit)`, token.pos);
    const op = token.kind === 'word' ? token.text.toLowerCase() : '';
    if (op === 'pr') return { kind: 'present', path };
    if (!OPERATORS.has(op)) {
      throw this.fail(`expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after ${JSON.stringify(path.text)}, found ${this.describe(token)}`, token.pos);
    }
    return { kind: 'compare', path, op: op as CompareOperator, value: this.parseLiteral(), position: token.pos };
  }

  private parseLiteral(): FilterLiteral {
    const token = this.next();
    if (token.kind === 'string' || token.kind === 'number') return token.value;
    if (token.kind === 'word') {
      const word = token.text.toLowerCase();
      if (word === 'true') return true;
      if (word === 'false') return false;
      if (word === 'null') return null;
    }
    throw this.fail(`expected a value (a "string", a number, true, false or null), found ${this.describe(token)}`, token.pos);
  }
}

/**
 * Parses a SCIM filter (RFC 7644 §3.4.2.2, including `not`, grouping, value paths, URN-qualified
 * paths, and Entra's `emails[type eq "work"].value eq "…"`). Keywords are case-insensitive.
 * Throws ScimError 400 `invalidFilter` whose detail gives the character position of the problem.
 * With a schema, attributes and operator/type combinations are checked too (filterToQuery always
 * checks them).
 */
export function parseFilter(text: string, schema?: ResourceSchema): FilterNode {
  if (text.trim() === '') throw badRequest('invalidFilter', 'Invalid filter: the filter is empty');
  const ast = new Parser(text, 'invalidFilter', 'filter').parseFilter();
  if (schema) validateFilter(ast, schema);
  return ast;
}

/** Parses a PATCH `path` (RFC 7644 §3.5.2, Figure 7); 400 `invalidPath` on a syntax error. */
export function parsePatchPath(text: string): PatchPath {
  if (text.trim() === '') throw badRequest('invalidPath', 'Invalid path: the path is empty');
  return new Parser(text, 'invalidPath', 'path').parsePath();
}
