import { Injectable, Logger } from '@nestjs/common';
import { DomainError, requestRefused } from '@scim/domain';
import type { ScimError } from '@scim/scim-protocol';
import { ProvisioningLog } from '@scim/provisioning';
import { scimCommandContext, type AuthenticatedRequest, type CommandContext } from '../shared/request-context';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** /Users or /Groups, with the resource id when the path names one (`.search` is a query). */
const RESOURCE_PATH = /\/(Users|Groups)(?:\/([^/]+))?\/?$/;

/**
 * Records every SCIM write refused with a 4xx as ProvisioningRejected in the account's
 * provisioning stream, so an admin can see in the activity log why a user or group "is not
 * appearing". Only requests that authenticated as the account (guards run first). Called by the
 * exception filter before it answers, so a refusal costs nothing until it happens (as an
 * interceptor, RxJS cost ~15 % of every read's CPU and ~7 % of every write's); a failure to
 * record is logged, never sent.
 */
@Injectable()
export class RefusedWrites {
  private readonly logger = new Logger('RefusedWrites');

  constructor(private readonly log: ProvisioningLog) {}

  /** Resolves once recorded, or at once when `refusal` is not a refused SCIM write. */
  async record(request: AuthenticatedRequest, refusal: ScimError, cause: unknown): Promise<void> {
    const context = scimCommandContext(request);
    const path = RESOURCE_PATH.exec(request.path);
    if (!context || !path || path[2] === '.search') return;
    await this.recordWrite(context, { method: request.method, resourceType: path[1] === 'Users' ? 'User' : 'Group', resourceId: path[2], body: request.body }, refusal, cause);
  }

  /** One refused write (a request, or an operation of a /Bulk request); never throws. */
  async recordWrite(context: CommandContext, write: RefusedWrite, refusal: ScimError, cause: unknown): Promise<void> {
    // Recorded already, with its own reason, by the user write model.
    const recorded = cause instanceof DomainError && cause.code === 'username_held_by_another_account';
    if (!WRITES.has(write.method) || refusal.status >= 500 || recorded) return;
    const { resourceType, resourceId } = write;
    const displayName = resourceType === 'Group' ? (write.body as Record<string, unknown> | undefined)?.displayName : undefined;
    const event = requestRefused({
      accountId: context.accountId,
      resourceType,
      ...(resourceId ? { resourceId } : {}),
      ...(typeof displayName === 'string' ? { displayName } : {}),
      refusal: { method: write.method, status: refusal.status, ...(refusal.scimType ? { scimType: refusal.scimType } : {}), detail: refusal.detail },
      body: write.body,
      at: context.at,
    });
    try {
      await this.log.recordRejection(context, event);
    } catch (failure) {
      this.logger.warn(`Could not record a refused ${write.method} of a ${resourceType}: ${failure instanceof Error ? failure.message : String(failure)}`);
    }
  }
}

/** A write as RefusedWrites records it. */
export interface RefusedWrite {
  readonly method: string;
  readonly resourceType: 'User' | 'Group';
  readonly resourceId?: string;
  readonly body: unknown;
}
