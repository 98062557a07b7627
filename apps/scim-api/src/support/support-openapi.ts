import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** OpenAPI for the support API: its answers are the domain's history types, described here once. */

const instant: SchemaObject = { type: 'string', format: 'date-time' };
const strings: SchemaObject = { type: 'array', items: { type: 'string' } };
const actor: SchemaObject = {
  type: 'object',
  description: 'who caused it: { kind: "scim-token", tokenId } | { kind: "account-admin", adminId } | { kind: "operator" } | { kind: "system", process }',
  properties: { kind: { type: 'string', enum: ['scim-token', 'account-admin', 'operator', 'system'] }, tokenId: { type: 'string' }, adminId: { type: 'string' }, process: { type: 'string' } },
};
const provenance: SchemaObject = {
  type: 'object',
  description: 'one reason the user holds (or held) the role, back to the request that caused it',
  properties: { kind: { type: 'string', enum: ['manual', 'pre-existing-at-conversion', 'group'] }, groupId: { type: 'string' }, groupName: { type: 'string' }, since: instant, actor, correlationId: { type: 'string' } },
  additionalProperties: true,
};
const userRoles: SchemaObject = {
  type: 'object',
  properties: { userId: { type: 'string' }, userName: { type: 'string' }, sources: { type: 'array', items: provenance } },
};

export const SupportSchemas = {
  search: { type: 'array', items: { type: 'object', properties: { userId: { type: 'string' }, userName: { type: 'string' }, source: { type: 'string', enum: ['Manual', 'SCIM'] }, status: { type: 'string', enum: ['active', 'inactive', 'deprovisioned'] } } } },
  explain: {
    type: 'object',
    properties: {
      userId: { type: 'string' },
      asOf: { ...instant, nullable: true },
      status: { type: 'string', enum: ['active', 'inactive', 'deprovisioned', 'absent'] },
      effectiveRoles: strings,
      roles: { type: 'array', items: { type: 'object', properties: { role: { type: 'string' }, effective: { type: 'boolean' }, sources: { type: 'array', items: provenance } } } },
      formerRoles: { type: 'array', items: { type: 'object', additionalProperties: true } },
      notes: strings,
    },
  },
  timeline: {
    type: 'object',
    properties: { userId: { type: 'string' }, events: { type: 'array', items: { type: 'object', properties: { at: instant, type: { type: 'string' }, summary: { type: 'string' }, actor, correlationId: { type: 'string' } }, additionalProperties: true } } },
  },
  roles: { type: 'object', properties: { userId: { type: 'string' }, asOf: instant, status: { type: 'string' }, userName: { type: 'string', nullable: true }, effectiveRoles: strings, heldRoles: strings } },
  holders: { type: 'object', properties: { role: { type: 'string' }, asOf: instant, holders: { type: 'array', items: userRoles }, suspended: { type: 'array', items: userRoles } } },
  access: { type: 'object', properties: { asOf: instant, users: { type: 'array', items: { type: 'object', properties: { userId: { type: 'string' }, userName: { type: 'string' }, effectiveRoles: strings }, additionalProperties: true } } } },
  accessDiff: {
    type: 'object',
    properties: { from: instant, to: instant, changes: { type: 'array', items: { type: 'object', properties: { userId: { type: 'string' }, userName: { type: 'string' }, gained: strings, lost: strings }, additionalProperties: true } } },
  },
  members: { type: 'object', properties: { groupId: { type: 'string' }, asOf: instant, displayName: { type: 'string' }, members: { type: 'array', items: { type: 'object', additionalProperties: true } } }, additionalProperties: true },
  activity: {
    type: 'object',
    properties: { accountId: { type: 'string' }, requests: { type: 'array', items: {
      type: 'object',
      properties: {
        correlationId: { type: 'string', description: 'the X-Request-Id of the IdP request' },
        at: instant,
        tokenIds: strings,
        items: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              outcome: { type: 'string', description: 'created, converted, rejected, updated, deactivated, reactivated, deleted, group-…' },
              resourceType: { type: 'string', enum: ['User', 'Group'] },
              resourceId: { type: 'string', nullable: true },
              name: { type: 'string', nullable: true },
              detail: { type: 'string', description: 'for a rejection, what the IdP was answered' },
            },
          },
        },
        roleChanges: { type: 'object', properties: { granted: { type: 'number' }, revoked: { type: 'number' }, users: { type: 'number' } } },
      },
    } } },
  },
} satisfies Record<string, SchemaObject>;

/** One support route's summary, query parameters and answer. */
export function SupportRoute(summary: string, schema: SchemaObject, query: readonly { name: string; description: string; required?: boolean }[] = []) {
  return applyDecorators(
    ApiOperation({ summary }),
    ApiOkResponse({ schema }),
    ...query.map(({ name, description, required }) => ApiQuery({ name, description, required: required ?? false, type: String })),
  );
}
