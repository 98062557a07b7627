import { badRequest } from '../scim-error';
import { Notes } from '../notes';
import type { FilterNode, PatchPath } from '../filter/ast';
import { groupResourceSchema } from '../schema/resource-schema';
import { normalizeAttributeValue } from '../resource/normalize';
import { memberValues, requireMemberValues, type GroupProfile } from '../resource/group-profile';
import { pathlessAttributes, type PatchOpName, type PatchOperation } from './patch-request';

/**
 * A group PATCH as deltas. Apply in this order: clear all members when `removeAllMembers`, then
 * remove `membersRemoved`, then add `membersAdded` (the two lists never share a value).
 */
export interface GroupPatchPlan {
  /** The new displayName/externalId, or undefined when they do not change. */
  readonly profile: GroupProfile | undefined;
  readonly membersAdded: string[];
  readonly membersRemoved: string[];
  readonly removeAllMembers: boolean;
  readonly notes: string[];
}

/**
 * Plans a Group PATCH (RFC 7644 §3.5.2) without the member list — groups may have 50,000 members —
 * so membership comes out as deltas. Operations are resolved in request order: a member added
 * then removed in one request ends removed, and vice versa.
 *
 * - `add` `members` [{value}] → added; path-less add/replace with `members` likewise
 * - `remove` `members[value eq "x"]` (or `value eq "x" or value eq "y"`) → removed
 * - `remove` `members` with a value list (Entra, JumpCloud) → only those removed
 * - `remove` `members` without value → removeAllMembers; `replace` `members` → removeAllMembers + added
 * - path-less `replace` `{id, displayName}` (Okta) → rename; `id` is ignored and noted
 *
 * Throws ScimError 400: unknown attribute → `invalidPath`; a path to `id`/`meta` → `mutability`;
 * a members filter other than `value eq` → `invalidPath`; replacing a member value → `mutability`;
 * removing or emptying displayName → `invalidValue`.
 */
export function planGroupPatch(current: GroupProfile, operations: readonly PatchOperation[]): GroupPatchPlan {
  const notes = new Notes();
  const plan = new GroupPlanner(current, notes);
  for (const operation of operations) plan.apply(operation);
  return plan.result();
}

const membersDefinition = groupResourceSchema.resolve('members')!.attribute;

class GroupPlanner {
  private displayName: string | undefined;
  private externalId: string | undefined;
  private removeAll = false;
  /** Net change per member relative to the current list (or to empty after removeAll). */
  private readonly delta = new Map<string, 'add' | 'remove'>();

  constructor(
    private readonly current: GroupProfile,
    private readonly notes: Notes,
  ) {
    this.displayName = current.displayName;
    this.externalId = current.externalId;
  }

  apply(operation: PatchOperation): void {
    for (const quirk of operation.quirks) this.notes.add(quirk);
    if (operation.path) return this.applyAtPath(operation.op, operation.path, operation.value, operation.value !== undefined, false);
    for (const { path, value } of pathlessAttributes(operation.op, operation.value, this.notes)) this.applyAtPath(operation.op, path, value, true, true);
  }

  private applyAtPath(op: PatchOpName, path: PatchPath, value: unknown, hasValue: boolean, lenient: boolean): void {
    const resolved = groupResourceSchema.resolve(path.attribute);
    if (!resolved) {
      if (lenient) return this.notes.add(`unknown-attribute-ignored:${path.text}`);
      throw badRequest('invalidPath', `Path ${JSON.stringify(path.text)} names no attribute of Group`);
    }
    const { attribute: attr, subAttribute: sub } = resolved;
    if (attr.mutability === 'readOnly') {
      // Okta's rename carries the read-only id inside the value: ignore it there.
      if (lenient) return this.notes.add(`readonly-ignored:${attr.name}`);
      throw badRequest('mutability', `Attribute "${path.text}" is read-only and cannot be modified`);
    }
    if (attr.name === 'members') return this.applyToMembers(op, path, value, hasValue, sub !== undefined);
    if (path.filter || path.subAttr !== undefined) throw badRequest('invalidPath', `Path ${JSON.stringify(path.text)} is not valid for "${attr.name}"`);

    const next = op === 'remove' ? undefined : (normalizeAttributeValue(attr, value, attr.name, this.notes) as string | undefined);
    if (attr.name === 'displayName') {
      if (next === undefined) throw badRequest('invalidValue', 'Attribute "displayName" is required and cannot be removed or emptied');
      this.displayName = next;
    } else {
      this.externalId = next;
    }
  }

  private applyToMembers(op: PatchOpName, path: PatchPath, value: unknown, hasValue: boolean, hasSub: boolean): void {
    if (hasSub || path.subAttr !== undefined) {
      throw badRequest('invalidPath', `Path ${JSON.stringify(path.text)}: name "members" or "members[value eq \\"<id>\\"]"`);
    }
    if (path.filter) {
      if (op === 'replace') throw badRequest('mutability', 'Member values are immutable: remove the member and add the new one');
      if (op === 'add') throw badRequest('invalidPath', 'Add members with path "members" and a value list, not with a filter');
      return this.remove(filteredMemberValues(path.filter, path.text));
    }
    if (op === 'add') return this.add(this.valuesOf(value));
    if (op === 'replace') {
      this.clear();
      return this.add(this.valuesOf(value));
    }
    if (hasValue && value !== null) {
      // Entra and JumpCloud: remove with path "members" and a value list removes just those.
      this.notes.add('entra-member-remove-list');
      return this.remove(this.valuesOf(value));
    }
    this.clear();
  }

  private valuesOf(value: unknown): string[] {
    const raw = value === null || Array.isArray(value) ? value : [value];
    requireMemberValues(raw, 'members');
    return memberValues(normalizeAttributeValue(membersDefinition, raw, 'members', this.notes), 'members');
  }

  private add(values: readonly string[]): void {
    for (const value of values) this.delta.set(value, 'add');
  }

  private remove(values: readonly string[]): void {
    for (const value of values) {
      this.delta.delete(value);
      // After a removeAll the base is empty: nothing to remove, only a pending add to cancel.
      if (!this.removeAll) this.delta.set(value, 'remove');
    }
  }

  private clear(): void {
    this.removeAll = true;
    this.delta.clear();
  }

  result(): GroupPatchPlan {
    const displayName = this.displayName as string;
    const profile: GroupProfile = { displayName, ...(this.externalId !== undefined ? { externalId: this.externalId } : {}) };
    const unchanged = profile.displayName === this.current.displayName && profile.externalId === this.current.externalId;
    const entries = [...this.delta];
    return {
      profile: unchanged ? undefined : profile,
      membersAdded: entries.filter(([, change]) => change === 'add').map(([value]) => value),
      membersRemoved: entries.filter(([, change]) => change === 'remove').map(([value]) => value),
      removeAllMembers: this.removeAll,
      notes: this.notes.list(),
    };
  }
}

/**
 * Member ids named by `value eq "x"`, alone or joined with `or`. Any other filter would need the
 * member list, which a delta plan never loads.
 */
function filteredMemberValues(filter: FilterNode, pathText: string): string[] {
  if (filter.kind === 'or') return [...filteredMemberValues(filter.left, pathText), ...filteredMemberValues(filter.right, pathText)];
  if (filter.kind === 'compare' && filter.op === 'eq' && filter.path.name.toLowerCase() === 'value' && typeof filter.value === 'string') {
    return [filter.value];
  }
  throw badRequest('invalidPath', `Path ${JSON.stringify(pathText)}: only members[value eq "<id>"] filters (optionally joined with "or") are supported`);
}
