/** Stands for a value cut from a text that is kept. */
export const CUT_VALUE = '…';
/** Shorter values are left: cutting "a" or "1" would cut the words around them, and reveals nothing. */
const MIN_CUT_LENGTH = 3;
const MAX_VALUES = 1000;
/** Protocol words of a SCIM body, not values anyone chose: kept so a detail can still name them. */
const PROTOCOL_KEYS = new Set(['schemas', 'op', 'path', 'method', 'bulkId', 'version']);

/**
 * A text about a request (the detail of its refusal, a failure's message and stack) less what the
 * request sent, for keeping where personal values must not be (docs/PRIVACY.md): every string
 * value of `sent` (a body, a query), as is or as JSON-escaped, and the quoted literals within them
 * (a filter's). With `filters` (for a detail, which quotes paths), anything in brackets but an index
 * goes too: a value filter (`emails[value eq "…"]`) is cut whole, in whatever form it is quoted.
 * The client may see its own values echoed (RFC 7644 §3.12); the event log and the logs keep none.
 */
export function withoutValues(text: string, sent: unknown, options: { readonly filters?: boolean } = { filters: true }): string {
  let cut = text;
  const values = [...stringValuesOf(sent)].filter((value) => value.length >= MIN_CUT_LENGTH).sort((a, b) => b.length - a.length);
  for (const value of values) {
    cut = replaceAllIgnoringCase(cut, value);
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) cut = replaceAllIgnoringCase(cut, escaped);
  }
  // An index (`Operations[2]`) is no value; anything else in brackets is a filter.
  return options.filters ? cut.replace(/\[(?!\d+\])[^\]]*(\]|$)/g, `[${CUT_VALUE}]`) : cut;
}

function stringValuesOf(body: unknown): Set<string> {
  const values = new Set<string>();
  const visit = (node: unknown, key: string | undefined, depth: number, inMembers = false): void => {
    if (values.size >= MAX_VALUES || depth > 64) return;
    if (typeof node === 'string') {
      // A member's value is a resource id (RFC 7643 §4.2): what an admin needs to find the member.
      if (inMembers && key === 'value') return;
      if (key === undefined || !PROTOCOL_KEYS.has(key)) values.add(node);
      // A filter or a PATCH path names attributes, but its quoted literals are values.
      for (const literal of node.matchAll(/"((?:[^"\\]|\\.)*)"/g)) values.add(literal[1]);
    } else if (Array.isArray(node)) {
      for (const item of node) visit(item, key, depth + 1, key === 'members');
    } else if (typeof node === 'object' && node !== null) {
      // Keys too: a path-less PATCH value may carry a value in its key (`emails[value eq "…"].type`).
      for (const [childKey, child] of Object.entries(node)) {
        if (/[\["@]/.test(childKey)) values.add(childKey);
        visit(child, childKey, depth + 1, inMembers);
      }
    }
  };
  visit(body, undefined, 0);
  return values;
}

function replaceAllIgnoringCase(text: string, value: string): string {
  const lowerText = text.toLowerCase();
  const lowerValue = value.toLowerCase();
  // Lower-casing can change a string's length (e.g. "İ"): then only exact matches are cut.
  if (lowerText.length !== text.length || lowerValue.length !== value.length) return text.split(value).join(CUT_VALUE);
  let result = '';
  let from = 0;
  for (let at = lowerText.indexOf(lowerValue); at !== -1; at = lowerText.indexOf(lowerValue, from)) {
    result += text.slice(from, at) + CUT_VALUE;
    from = at + value.length;
  }
  return result + text.slice(from);
}
