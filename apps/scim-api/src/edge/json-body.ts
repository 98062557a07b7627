import { ScimError } from '@scim/scim-protocol';

// fatal: invalid UTF-8 is refused rather than stored as U+FFFD (RFC 8259 §8.1: JSON text is UTF-8).
const utf8 = new TextDecoder('utf-8', { fatal: true });

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;

/**
 * Whether JSON text opens more than `maxDepth` objects or arrays at once. One linear pass outside
 * strings, so a body nested a million deep is refused before JSON.parse (and every recursive walk
 * after it) can exhaust the stack.
 */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      if (++depth > maxDepth) return true;
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      depth--;
    }
  }
  return false;
}

/** A request body's bytes as JSON: strict UTF-8, bounded nesting; an empty body is `{}` as before. */
export function parseJsonBody(bytes: Uint8Array, maxDepth: number): unknown {
  if (bytes.length === 0) return {};
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new ScimError(400, 'Request body is not valid UTF-8', 'invalidSyntax');
  }
  if (nestsDeeperThan(text, maxDepth)) {
    throw new ScimError(400, `Request body nests objects or arrays deeper than ${maxDepth} levels, the limit (JSON_MAX_DEPTH)`, 'invalidSyntax');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ScimError(400, 'Request body is not valid JSON', 'invalidSyntax');
  }
}
