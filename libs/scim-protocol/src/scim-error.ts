import { ScimUrn } from './urns';

/** The `scimType` values of RFC 7644 §3.12, Table 9. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

/**
 * A failure the client must be told about, as RFC 7644 §3.12 describes it: an HTTP status, an
 * optional `scimType` (meaningful with 400, and 409 `uniqueness`) and a human-readable detail.
 */
export class ScimError extends Error {
  readonly status: number;
  readonly scimType?: ScimType;
  readonly detail: string;

  constructor(status: number, detail: string, scimType?: ScimType) {
    super(detail);
    this.name = 'ScimError';
    this.status = status;
    this.detail = detail;
    this.scimType = scimType;
  }
}

/** A 400 with the given `scimType`. */
export function badRequest(scimType: ScimType, detail: string): ScimError {
  return new ScimError(400, detail, scimType);
}

/** The JSON body of an RFC 7644 §3.12 error response. */
export interface ScimErrorBody {
  readonly schemas: readonly [typeof ScimUrn.Error];
  /** The HTTP status as a string: the RFC's examples and schema use a JSON string here. */
  readonly status: string;
  readonly scimType?: ScimType;
  readonly detail: string;
}

/** Renders an error as the RFC 7644 §3.12 body; `scimType` is omitted when the error has none. */
export function toScimErrorBody(error: ScimError): ScimErrorBody {
  return {
    schemas: [ScimUrn.Error],
    status: String(error.status),
    ...(error.scimType !== undefined ? { scimType: error.scimType } : {}),
    detail: error.detail,
  };
}
