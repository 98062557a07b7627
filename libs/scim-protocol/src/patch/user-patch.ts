import { badRequest } from '../scim-error';
import { cloneJson, isPlainObject, jsonEqual } from '../json';
import { Notes } from '../notes';
import type { PatchPath } from '../filter/ast';
import { equalities, matchesValue } from '../filter/evaluate';
import { failWith, fold, validateValueFilter } from '../filter/operand';
import { subAttribute, type AttributeDefinition } from '../schema/attribute';
import { userResourceSchema, type ResourceSchema, type SchemaExtension } from '../schema/resource-schema';
import { attributePath, isSchemasKey, normalizeAttributeValue, normalizeComplexValue, normalizeResourceAttributes, unknownUrnKey } from '../resource/normalize';
import { finishUser, type UserProfile } from '../resource/user-profile';
import { pathlessAttributes, type PatchOpName, type PatchOperation } from './patch-request';

type Doc = Record<string, unknown>;
type Element = Record<string, unknown>;

const pathFail = failWith('invalidPath', 'path');
const invalidValue = (detail: string) => badRequest('invalidValue', detail);

/** The user after a PATCH: a profile normalised and validated as on create, and the lifecycle flag. */
export interface PatchedUser {
  readonly profile: UserProfile;
  /** null: unassigned (removed, RFC 7644 §3.5.2.2). */
  readonly active: boolean | null;
  readonly notes: string[];
}

/**
 * Applies PATCH operations (RFC 7644 §3.5.2) to a user, in order and atomically (any error throws
 * before anything is returned), and re-validates the result with the create rules.
 *
 * Supports add/replace/remove with plain, sub-attribute (`name.givenName`), value-filter
 * (`emails[type eq "work"].value`) and URN-qualified paths, and path-less add/replace whose value
 * holds attributes, dotted keys (`name.givenName`) or URN keys (Entra). `add` appends to
 * multi-valued attributes (skipping exact duplicates) and, for a value with `primary: true`,
 * demotes the other values; on complex attributes add and replace merge sub-attributes (§3.5.2.1,
 * §3.5.2.3). Errors (ScimError 400): unknown attribute in a path → `invalidPath`; a path to a
 * read-only attribute → `mutability` (read-only attributes inside a path-less value, such as
 * Okta's `id`, are ignored and noted); removing userName → `invalidValue` (RFC 7644 Table 9: a
 * required value was missing); replace with a value filter matching none of the existing values →
 * `noTarget` (when the attribute has no values at all, §3.5.2.3 makes the replace an add).
 */
export function applyUserPatch(
  current: { readonly profile: Readonly<Record<string, unknown>>; readonly active: boolean | null },
  operations: readonly PatchOperation[],
  schema: ResourceSchema = userResourceSchema,
): PatchedUser {
  const notes = new Notes();
  const doc: Doc = { ...cloneJson(current.profile), ...(current.active !== null ? { active: current.active } : {}) };
  const patcher = new UserPatcher(schema, doc, notes);
  for (const operation of operations) patcher.apply(operation);
  const normalized = finishUser(normalizeResourceAttributes(schema, doc, notes), notes);
  // The document lacks `active` only when it was removed, or unassigned before and left so.
  return { profile: normalized.profile, active: normalized.active ?? null, notes: normalized.notes };
}

class UserPatcher {
  constructor(
    private readonly schema: ResourceSchema,
    private readonly doc: Doc,
    private readonly notes: Notes,
  ) {}

  apply(operation: PatchOperation): void {
    for (const quirk of operation.quirks) this.notes.add(quirk);
    if (operation.path) this.applyAtPath(operation.op, operation.path, operation.value, false);
    else this.applyPathless(operation.op, operation.value);
  }

  /** §3.5.2.1/§3.5.2.3 without path: the value is a set of attributes (Okta, Entra). */
  private applyPathless(op: PatchOpName, value: unknown): void {
    for (const { key, path, value: attributeValue } of pathlessAttributes(op, value, this.notes)) {
      if (/[.[:]/.test(key) && !this.schema.extension(key)) this.notes.add(`pathless-path-key:${key}`);
      this.applyAtPath(op, path, attributeValue, true);
    }
  }

  /**
   * One operation at one path. `lenient` is for keys of a path-less value: unknown or read-only
   * attributes there are ignored and noted rather than rejected.
   */
  private applyAtPath(op: PatchOpName, path: PatchPath, value: unknown, lenient: boolean): void {
    const text = path.attribute.text;
    const wholeExtension = !path.filter && path.attribute.subAttr === undefined ? this.schema.extension(text) : undefined;
    if (wholeExtension) return this.applyToExtension(op, wholeExtension, value);

    const resolved = this.schema.resolve(path.attribute);
    if (!resolved) {
      // An undeclared extension (or attribute of a declared one) is refused, lenient or not; noted while the account migrates.
      if (/^urn:/i.test(text) && unknownUrnKey(this.schema, text, this.notes) === 'undeclared-ignored') return;
      if (lenient) return this.notes.add(`unknown-attribute-ignored:${text}`);
      throw badRequest('invalidPath', `Path ${JSON.stringify(path.text)} names no attribute of User`);
    }
    const { attribute: attr, subAttribute: sub, extension } = resolved;
    const trailing = path.subAttr === undefined ? undefined : subAttribute(attr, path.subAttr);
    if (path.subAttr !== undefined && !trailing) {
      throw badRequest('invalidPath', `Path ${JSON.stringify(path.text)}: "${path.subAttr}" is not a sub-attribute of "${attr.name}"`);
    }
    const leafSub = sub ?? trailing;
    const fullPath = attributePath(attr, extension, leafSub);
    if (resolved.unqualified) this.notes.add(`unqualified-extension-path:${attributePath(attr, extension)}`);

    if (attr.mutability === 'readOnly' || leafSub?.mutability === 'readOnly') {
      if (lenient) return this.notes.add(`readonly-ignored:${fullPath}`);
      throw badRequest('mutability', `Attribute "${fullPath}" is read-only and cannot be modified`);
    }
    if (attr.mutability === 'writeOnly') return this.notes.add(attr.name === 'password' ? 'password-discarded' : `writeonly-discarded:${fullPath}`);
    if (path.filter && !(attr.type === 'complex' && attr.multiValued)) {
      throw badRequest('invalidPath', `Path ${JSON.stringify(path.text)}: a value filter needs a multi-valued complex attribute`);
    }
    // Before any value is matched: a filter on an unknown sub-attribute would otherwise create a value when none exists yet.
    if (path.filter) validateValueFilter(path.filter, attr, this.schema, pathFail);

    const container = extension ? this.extensionObject(extension) : this.doc;
    if (path.filter) this.applyFiltered(op, container, attr, path, trailing, value, fullPath);
    else if (leafSub) this.applyToSubAttribute(op, container, attr, leafSub, value, fullPath);
    else this.applyToAttribute(op, container, attr, value, fullPath);
    if (extension && Object.keys(container).length === 0) delete this.doc[extension.schema.id];
  }

  private extensionObject(extension: SchemaExtension): Doc {
    const existing = this.doc[extension.schema.id];
    if (isPlainObject(existing)) return existing;
    const created: Doc = {};
    this.doc[extension.schema.id] = created;
    return created;
  }

  /**
   * Path (or path-less key) naming a whole extension: apply each of its attributes; unknown or
   * read-only ones inside the value are ignored and noted, as on create.
   */
  private applyToExtension(op: PatchOpName, extension: SchemaExtension, value: unknown): void {
    const urn = extension.schema.id;
    if (op === 'remove') {
      delete this.doc[urn];
      return;
    }
    if (value === null) {
      this.notes.add(`null-dropped:${urn}`);
      if (op === 'replace') delete this.doc[urn];
      return;
    }
    if (!isPlainObject(value)) throw invalidValue(`The value for "${urn}" must be an object of its attributes`);
    for (const [key, attrValue] of Object.entries(value)) {
      if (isSchemasKey(key)) {
        this.notes.add(`readonly-ignored:${urn}:schemas`);
        continue;
      }
      this.applyAtPath(op, { text: `${urn}:${key}`, attribute: { uri: urn, name: key, text: `${urn}:${key}`, position: 0 } }, attrValue, true);
    }
  }

  /** add/replace/remove of a whole attribute. */
  private applyToAttribute(op: PatchOpName, container: Doc, attr: AttributeDefinition, value: unknown, fullPath: string): void {
    if (op === 'remove') {
      if (attr.required) throw invalidValue(`Attribute "${fullPath}" is required and cannot be removed`);
      if (attr.multiValued && value !== undefined && value !== null) return this.removeListed(container, attr, value, fullPath);
      delete container[attr.name];
      return;
    }
    if (attr.multiValued) {
      let raw = value;
      if (value !== null && !Array.isArray(value)) {
        this.notes.add(`value-wrapped-in-array:${fullPath}`);
        raw = [value];
      }
      const items = normalizeAttributeValue(attr, raw, fullPath, this.notes) as Element[] | undefined;
      if (op === 'replace') return setOrDelete(container, attr.name, items);
      if (!items) return;
      const existing = arrayOf(container[attr.name]);
      const added = items.filter((item) => !existing.some((e) => jsonEqual(e, item)));
      const merged = [...existing, ...added];
      // §3.5.2: setting a value's primary to true sets it to false on the others.
      const primaries = new Set(items.filter((item) => isPlainObject(item) && item.primary === true).map((item) => merged.findIndex((m) => jsonEqual(m, item))));
      if (primaries.size) demoteOthers(merged, primaries);
      container[attr.name] = merged;
      return;
    }
    if (attr.type === 'complex') return this.mergeComplex(container, attr, value, fullPath);
    setOrDelete(container, attr.name, normalizeAttributeValue(attr, value, fullPath, this.notes));
  }

  /**
   * RFC 7644 §3.5.2.1/§3.5.2.3: a complex value merges into the existing one; sub-attributes not
   * given are left unchanged, a null one is removed. When `value` changes or is removed, the value
   * is another thing (another manager): its other sub-attributes ($ref) are not carried over.
   */
  private mergeComplex(container: Doc, attr: AttributeDefinition, value: unknown, fullPath: string): void {
    if (value === null) {
      this.notes.add(`null-dropped:${fullPath}`);
      delete container[attr.name];
      return;
    }
    const incoming = normalizeAttributeValue(attr, value, fullPath, this.notes) as Element | undefined;
    const rawObject = Array.isArray(value) ? value[0] : value;
    const cleared = isPlainObject(rawObject)
      ? Object.entries(rawObject)
          .filter(([, v]) => v === null || v === '')
          .map(([k]) => subAttribute(attr, k)?.name)
      : [];
    if (incoming === undefined && !isPlainObject(rawObject)) {
      // A bare empty value ("manager": "") leaves nothing to merge: the attribute is unassigned.
      delete container[attr.name];
      return;
    }
    const existing = isPlainObject(container[attr.name]) ? (container[attr.name] as Element) : {};
    const sameThing =
      !cleared.includes('value') && (!incoming || incoming.value === undefined || existing.value === undefined || incoming.value === existing.value);
    const merged: Element = { ...(sameThing ? existing : {}), ...(incoming ?? {}) };
    for (const name of cleared) if (name) delete merged[name];
    setOrDelete(container, attr.name, normalizeComplexValue(attr, merged, fullPath, new Notes()));
  }

  /** Entra-style `remove` of a multi-valued attribute with a value: only the listed values go. */
  private removeListed(container: Doc, attr: AttributeDefinition, value: unknown, fullPath: string): void {
    this.notes.add(`remove-listed-values:${fullPath}`);
    const listed = (normalizeAttributeValue(attr, Array.isArray(value) ? value : [value], fullPath, new Notes()) as Element[] | undefined) ?? [];
    const valueSub = subAttribute(attr, 'value');
    const same = (a: unknown, b: unknown) =>
      typeof a === 'string' && typeof b === 'string' && (valueSub?.caseExact ? a === b : fold(a) === fold(b));
    const remaining = arrayOf(container[attr.name]).filter(
      (element) => !listed.some((l) => jsonEqual(l, element) || (l.value !== undefined && same(l.value, element.value))),
    );
    setOrDelete(container, attr.name, remaining.length ? remaining : undefined);
  }

  /** `name.givenName`, `urn:…:manager.value`, or `emails.type` (every value of a multi-valued attribute). */
  private applyToSubAttribute(op: PatchOpName, container: Doc, attr: AttributeDefinition, sub: AttributeDefinition, value: unknown, fullPath: string): void {
    const subValue = op === 'remove' ? undefined : normalizeAttributeValue(sub, value, fullPath, this.notes);
    if (!attr.multiValued) {
      const object: Element = { ...(isPlainObject(container[attr.name]) ? (container[attr.name] as Element) : {}) };
      if (subValue === undefined) delete object[sub.name];
      else object[sub.name] = subValue;
      setOrDelete(container, attr.name, normalizeComplexValue(attr, object, attributePath(attr), new Notes()));
      return;
    }
    const elements = arrayOf(container[attr.name]);
    if (elements.length === 0) {
      if (subValue !== undefined) container[attr.name] = [{ [sub.name]: subValue }];
      return;
    }
    const updated = elements.map((element) => setSub(element, sub.name, subValue)).filter(nonEmpty);
    setOrDelete(container, attr.name, updated.length ? updated : undefined);
  }

  /** `emails[type eq "work"]` and `emails[type eq "work"].value` (§3.5.2.1–§3.5.2.3). */
  private applyFiltered(
    op: PatchOpName,
    container: Doc,
    attr: AttributeDefinition,
    path: PatchPath,
    trailing: AttributeDefinition | undefined,
    value: unknown,
    fullPath: string,
  ): void {
    const filter = path.filter!;
    const elements = arrayOf(container[attr.name]);
    const matched = new Set<number>();
    elements.forEach((element, i) => {
      if (matchesValue(filter, element, attr, pathFail)) matched.add(i);
    });

    if (op === 'remove') {
      const remaining = trailing
        ? elements.map((e, i) => (matched.has(i) ? setSub(e, trailing.name, undefined) : e)).filter(nonEmpty)
        : elements.filter((_, i) => !matched.has(i));
      setOrDelete(container, attr.name, remaining.length ? remaining : undefined);
      return;
    }

    const update = (element: Element): Element => {
      if (trailing) return setSub(element, trailing.name, normalizeAttributeValue(trailing, value, fullPath, this.notes));
      if (!isPlainObject(value)) throw invalidValue(`The value for ${JSON.stringify(path.text)} must be an object of sub-attributes`);
      return { ...element, ...(normalizeComplexValue(attr, value, attributePath(attr), this.notes) ?? {}) };
    };

    if (matched.size === 0) {
      // §3.5.2.3: replace with a filter matching none of the values is noTarget, but a replace
      // whose attribute does not exist at all is an add. Entra adds emails[type eq "work"].value
      // for a user without a work email: create the value the filter describes.
      const asAdd = op === 'add' || elements.length === 0;
      const pinned = asAdd ? equalities(filter) : undefined;
      if (!pinned) throw badRequest('noTarget', `Path ${JSON.stringify(path.text)} matches no value of "${attr.name}"`);
      if (op === 'replace') this.notes.add(`replace-as-add:${attributePath(attr)}`);
      const base: Element = {};
      for (const [name, v] of pinned) {
        const sub = subAttribute(attr, name);
        if (sub) base[sub.name] = v;
      }
      const created = normalizeComplexValue(attr, update(base), attributePath(attr), this.notes);
      if (!created) return;
      this.notes.add(`filter-add-created:${attributePath(attr)}`);
      const next = [...elements, created];
      if (created.primary === true) demoteOthers(next, new Set([next.length - 1]));
      container[attr.name] = next;
      return;
    }

    const next = elements.map((e, i) => (matched.has(i) ? update(e) : e)).filter(nonEmpty);
    const primaries = new Set([...matched].filter((i) => next[i]?.primary === true && elements[i].primary !== true));
    if (primaries.size) demoteOthers(next, primaries);
    setOrDelete(container, attr.name, next.length ? next : undefined);
  }
}

function arrayOf(value: unknown): Element[] {
  return Array.isArray(value) ? value.filter(isPlainObject) : [];
}

function setOrDelete(container: Doc, name: string, value: unknown): void {
  if (value === undefined) delete container[name];
  else container[name] = value;
}

function setSub(element: Element, name: string, value: unknown): Element {
  const next = { ...element };
  if (value === undefined) delete next[name];
  else next[name] = value;
  return next;
}

const nonEmpty = (element: Element) => Object.keys(element).length > 0;

function demoteOthers(elements: Element[], keep: ReadonlySet<number>): void {
  elements.forEach((element, i) => {
    if (!keep.has(i) && element.primary === true) elements[i] = { ...element, primary: false };
  });
}
