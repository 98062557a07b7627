import { HttpException } from '@nestjs/common';
import { DomainError, type DomainErrorCode } from '@scim/domain';
import { AppendTooLargeError, ConcurrencyError, PreconditionFailedError } from '@scim/event-store';
import { ScimError, type ScimType } from '@scim/scim-protocol';

const domainErrors: Record<DomainErrorCode, { status: number; scimType?: ScimType }> = {
  account_not_found: { status: 404 },
  account_already_exists: { status: 409, scimType: 'uniqueness' },
  scim_token_not_found: { status: 404 },
  scim_token_already_revoked: { status: 409 },
  invalid_token_validity: { status: 400, scimType: 'invalidValue' },
  user_not_found: { status: 404 },
  user_already_exists: { status: 409, scimType: 'uniqueness' },
  username_taken: { status: 409, scimType: 'uniqueness' },
  username_held_by_another_account: { status: 409, scimType: 'uniqueness' },
  user_not_manual: { status: 409 },
  erasure_reason_required: { status: 400, scimType: 'invalidValue' },
  invalid_retention: { status: 400, scimType: 'invalidValue' },
  unknown_role: { status: 400, scimType: 'invalidValue' },
  role_not_assigned: { status: 404 },
  role_granted_via_group: { status: 409 },
  role_already_defined: { status: 409, scimType: 'uniqueness' },
  group_not_found: { status: 404 },
  group_already_exists: { status: 409, scimType: 'uniqueness' },
  group_name_taken: { status: 409, scimType: 'uniqueness' },
  group_not_managed_by_scim: { status: 404 },
  group_managed_by_scim: { status: 409 },
  admin_key_not_found: { status: 404 },
  events_key_not_found: { status: 404 },
  webhook_not_found: { status: 404 },
  webhook_limit_reached: { status: 409 },
  invalid_webhook: { status: 400, scimType: 'invalidValue' },
  invalid_custom_attribute: { status: 400, scimType: 'invalidValue' },
  custom_attribute_already_declared: { status: 409, scimType: 'uniqueness' },
};

/** body-parser marks its failures with a `type`; they are the client's fault, never a 500. */
interface BodyParserError {
  readonly type: string;
  readonly status: number;
  readonly message: string;
}

function isBodyParserError(e: unknown): e is BodyParserError {
  return typeof e === 'object' && e !== null && typeof (e as BodyParserError).type === 'string' && typeof (e as BodyParserError).status === 'number';
}

/** One mapping from every failure to an RFC 7644 §3.12 error; unknown failures become a 500. */
export function toScimError(exception: unknown): ScimError {
  if (exception instanceof ScimError) return exception;
  if (exception instanceof DomainError) {
    const { status, scimType } = domainErrors[exception.code];
    return new ScimError(status, exception.message, scimType);
  }
  if (exception instanceof PreconditionFailedError) {
    return new ScimError(412, 'The resource changed since the version given in If-Match; read it again and retry');
  }
  if (exception instanceof ConcurrencyError) {
    return new ScimError(409, 'The resource is being changed by concurrent requests; retry');
  }
  if (exception instanceof AppendTooLargeError) {
    // The event store refused the append before writing any of it (EventStoreDB's MaxAppendSize).
    return new ScimError(413, `The resource is too large to store: one write may carry at most ${exception.maxBytes} bytes`);
  }
  if (isBodyParserError(exception)) {
    if (exception.type === 'entity.parse.failed') return new ScimError(400, 'Request body is not valid JSON', 'invalidSyntax');
    if (exception.type === 'entity.too.large') return new ScimError(413, 'Request body is too large');
    return new ScimError(exception.status >= 400 && exception.status < 500 ? exception.status : 400, exception.message, 'invalidSyntax');
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const messages = typeof response === 'object' && response !== null ? (response as { message?: unknown }).message : response;
    const detail = Array.isArray(messages) ? messages.join('; ') : String(messages ?? exception.message);
    return new ScimError(status, detail, status === 400 ? 'invalidValue' : undefined);
  }
  return new ScimError(500, 'Internal error; the request was not applied. Retry later, and report the request id if it persists.');
}
