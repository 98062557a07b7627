import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { withoutValues } from '@scim/domain';
import { bulkIdReferences, resolveBulkIds, ScimError, toScimErrorBody, type BulkOperation, type BulkRequest } from '@scim/scim-protocol';
import { type WrittenGroup, type WrittenUser } from '@scim/provisioning';
import { CreateGroupCommand, type CreatedGroup } from '../groups/create-group/create-group.command';
import { DeleteGroupCommand } from '../groups/delete-group/delete-group.command';
import { PatchGroupCommand } from '../groups/patch-group/patch-group.command';
import { ReplaceGroupCommand } from '../groups/replace-group/replace-group.command';
import { toScimError } from '../scim/error-mapping';
import { RefusedWrites } from '../scim/refused-writes';
import { etagOf, expectedRevisionFrom } from '../scim/scim-http';
import type { CommandContext } from '../shared/request-context';
import { CreateUserCommand } from '../users/create-user/create-user.command';
import { DeleteUserCommand } from '../users/delete-user/delete-user.command';
import { PatchUserCommand } from '../users/patch-user/patch-user.command';
import { ReplaceUserCommand } from '../users/replace-user/replace-user.command';

/** One entry of a BulkResponse (RFC 7644 §3.7.3). */
export interface BulkResult {
  readonly method: string;
  readonly bulkId?: string;
  readonly version?: string;
  readonly location?: string;
  readonly status: string;
  readonly response?: Record<string, unknown>;
}

/** What an operation wrote: the resource's id and version. */
interface Written {
  readonly id: string;
  readonly version?: number;
}

/**
 * Runs a BulkRequest's operations through the same commands as the single-resource routes (same
 * events, same rules, same refusals recorded). An operation naming `bulkId:x` waits for the
 * operation with bulkId x, wherever it stands in the request (§3.7.2); references that cannot be
 * resolved — x failed, is unknown, or the references are circular — are 409s (§3.7.1).
 */
@Injectable()
export class BulkOperations {
  private readonly logger = new Logger('Bulk');

  constructor(
    private readonly commandBus: CommandBus,
    private readonly refusals: RefusedWrites,
  ) {}

  async run(context: CommandContext, request: BulkRequest, baseUrl: string): Promise<BulkResult[]> {
    const results = new Map<number, BulkResult>();
    const created = new Map<string, string>();
    const pending = new Map(request.operations.map((operation, index) => [index, operation]));
    const waitingFor = (operation: BulkOperation) => [...bulkIdReferences(operation)].filter((bulkId) => !created.has(bulkId));
    let errors = 0;
    const stop = () => request.failOnErrors !== undefined && errors >= request.failOnErrors;
    for (let progressed = true; progressed && pending.size > 0 && !stop(); ) {
      progressed = false;
      for (const [index, operation] of pending) {
        const missing = waitingFor(operation);
        // Wait while an operation still to run may create what this one names.
        if (missing.some((bulkId) => [...pending.values()].some((other) => other !== operation && other.bulkId === bulkId))) continue;
        pending.delete(index);
        progressed = true;
        const result = missing.length > 0 ? await this.unresolved(context, operation, missing, baseUrl) : await this.runOne(context, resolveBulkIds(operation, created), baseUrl, created);
        results.set(index, result);
        if (Number(result.status) >= 400) errors++;
        if (stop()) break;
      }
    }
    // Left: operations waiting on each other.
    for (const [index, operation] of pending) {
      if (stop()) break;
      results.set(index, await this.unresolved(context, operation, waitingFor(operation), baseUrl));
      errors++;
    }
    return [...results.keys()].sort((a, b) => a - b).map((index) => results.get(index) as BulkResult);
  }

  private async runOne(context: CommandContext, operation: BulkOperation, baseUrl: string, created: Map<string, string>): Promise<BulkResult> {
    const identity = { method: operation.method, ...(operation.bulkId !== undefined ? { bulkId: operation.bulkId } : {}) };
    try {
      const written = await this.execute(context, operation);
      if (operation.bulkId !== undefined && operation.method === 'POST') created.set(operation.bulkId, written.id);
      const status = operation.method === 'POST' ? '201' : operation.method === 'DELETE' ? '204' : '200';
      return {
        ...identity,
        ...(written.version !== undefined ? { version: etagOf(written.version) } : {}),
        location: `${baseUrl}/${operation.resourceType}/${written.id}`,
        status,
      };
    } catch (failure) {
      const error = toScimError(failure);
      // Reported in its entry, like any failure (§3.7.3): the operations before it stay applied and listed.
      if (error.status >= 500) this.logger.error(withoutValues(failure instanceof Error ? (failure.stack ?? failure.message) : String(failure), operation.data, { filters: false }));
      return this.refused(context, operation, error, failure, baseUrl);
    }
  }

  private unresolved(context: CommandContext, operation: BulkOperation, bulkIds: readonly string[], baseUrl: string): Promise<BulkResult> {
    const named = bulkIds.map((bulkId) => `"${bulkId}"`).join(', ');
    const error = new ScimError(409, `The operation refers to bulkId ${named}, which no successful operation of this request created (unknown, failed, or circular)`);
    return this.refused(context, operation, error, error, baseUrl);
  }

  /** A failed operation's entry, recorded in the account's activity as a refused request would be. */
  private async refused(context: CommandContext, operation: BulkOperation, error: ScimError, cause: unknown, baseUrl: string): Promise<BulkResult> {
    const resourceType = operation.resourceType === 'Users' ? 'User' : 'Group';
    await this.refusals.recordWrite(context, { method: operation.method, resourceType, resourceId: operation.id, body: operation.data }, error, cause);
    return {
      method: operation.method,
      ...(operation.bulkId !== undefined ? { bulkId: operation.bulkId } : {}),
      ...(operation.id && !operation.id.startsWith('bulkId:') ? { location: `${baseUrl}/${operation.resourceType}/${operation.id}` } : {}),
      status: String(error.status),
      response: { ...toScimErrorBody(error) },
    };
  }

  private async execute(context: CommandContext, operation: BulkOperation): Promise<Written> {
    const { method, id = '', data } = operation;
    const ifMatch = expectedRevisionFrom(operation.version);
    const user = ({ user: { userId }, revision }: WrittenUser): Written => ({ id: userId, version: revision });
    const group = ({ group: { groupId }, version }: WrittenGroup | CreatedGroup): Written => ({ id: groupId, version });
    if (operation.resourceType === 'Users') {
      switch (method) {
        case 'POST':
          return user(await this.commandBus.execute(new CreateUserCommand(context, data)));
        case 'PUT':
          return user(await this.commandBus.execute(new ReplaceUserCommand(context, id, data, ifMatch)));
        case 'PATCH':
          return user(await this.commandBus.execute(new PatchUserCommand(context, id, data, ifMatch)));
        case 'DELETE':
          await this.commandBus.execute(new DeleteUserCommand(context, id, ifMatch));
          return { id };
      }
    }
    switch (method) {
      case 'POST':
        return group(await this.commandBus.execute(new CreateGroupCommand(context, data)));
      case 'PUT':
        return group(await this.commandBus.execute(new ReplaceGroupCommand(context, id, data, ifMatch)));
      case 'PATCH':
        return group(await this.commandBus.execute(new PatchGroupCommand(context, id, data, ifMatch)));
      case 'DELETE':
        await this.commandBus.execute(new DeleteGroupCommand(context, id, ifMatch));
        return { id };
      default: {
        const _exhaustive: never = method;
        return _exhaustive;
      }
    }
  }
}
