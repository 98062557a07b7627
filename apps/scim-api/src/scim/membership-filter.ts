import type { Query } from '@scim/read-models';
import { ScimError } from '@scim/scim-protocol';

/**
 * A filter on a membership attribute — a group's `members.value`, a user's `groups.value`: "which
 * groups is this user in?", "who is in this group?" — is not on the search mirror (a group may have
 * 50,000 members): each such condition becomes the one `conditionOf` gives for the id it names (an
 * `_id` set read from the memberships, or a field the documents keep). `field` is the attribute's
 * path in the search mirror (`search.members`).
 */
export async function resolveMembershipConditions(query: Query, field: string, conditionOf: (id: string) => Promise<Query>): Promise<Query> {
  const resolved = new Map<string, unknown>();
  for (const [key, condition] of Object.entries(query)) {
    if (key === '$and' || key === '$or' || key === '$nor') {
      resolved.set(key, await Promise.all((condition as Query[]).map((q) => resolveMembershipConditions(q, field, conditionOf))));
    } else if (key === `${field}.value` || key === field || key.startsWith(`${field}.`)) {
      const membership = await conditionOf(memberValueOf(key, field, condition));
      resolved.set('$and', [...((resolved.get('$and') as Query[] | undefined) ?? []), membership]);
    } else {
      resolved.set(key, condition);
    }
  }
  // fromEntries defines every key as an own field, whatever a filter named it.
  return Object.fromEntries(resolved);
}

function memberValueOf(key: string, field: string, condition: unknown): string {
  const value = key === field ? (condition as { $elemMatch?: Record<string, unknown> }).$elemMatch?.value : key === `${field}.value` ? condition : undefined;
  const onlyValue = key !== field || Object.keys((condition as { $elemMatch?: object }).$elemMatch ?? {}).length === 1;
  if (typeof value === 'string' && onlyValue) return value;
  const name = field.slice(field.lastIndexOf('.') + 1);
  throw new ScimError(400, `Filters on ${name} support only equality on the id: ${name}[value eq "…"] or ${name}.value eq "…"`, 'invalidFilter');
}
