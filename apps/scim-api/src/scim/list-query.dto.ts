import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max } from 'class-validator';
import { MAX_INDEX, toNumber } from '../shared/numeric-input';

/** RFC 7644 §3.4.2 query parameters; also the body of POST /.search (§3.4.3). */
export class ListQueryDto {
  @IsOptional() @IsString() filter?: string;

  /** 1-based; values below 1 are read as 1 (§3.4.2.4). */
  @IsOptional() @Transform(toNumber) @IsInt() @Max(MAX_INDEX) startIndex?: number;

  /** Negative values are read as 0 (§3.4.2.4). */
  @IsOptional() @Transform(toNumber) @IsInt() @Max(MAX_INDEX) count?: number;

  @IsOptional() @IsString() sortBy?: string;

  @IsOptional() @IsIn(['ascending', 'descending']) sortOrder?: 'ascending' | 'descending';

  @IsOptional() @Transform(({ value }) => (Array.isArray(value) ? value.join(',') : value)) @IsString() attributes?: string;

  @IsOptional() @Transform(({ value }) => (Array.isArray(value) ? value.join(',') : value)) @IsString() excludedAttributes?: string;
}

/** Attribute selection for single-resource responses (§3.9). */
export class AttributesQueryDto {
  @IsOptional() @IsString() attributes?: string;
  @IsOptional() @IsString() excludedAttributes?: string;
}

/** How ValidationPipe reads each parameter of the two DTOs above, when it takes it as sent. */
type ParameterKind = 'string' | 'integer' | 'sortOrder';

const parametersOf = new Map<Function, Readonly<Record<string, ParameterKind>>>([
  [
    ListQueryDto,
    { filter: 'string', startIndex: 'integer', count: 'integer', sortBy: 'string', sortOrder: 'sortOrder', attributes: 'string', excludedAttributes: 'string' },
  ],
  [AttributesQueryDto, { attributes: 'string', excludedAttributes: 'string' }],
]);

// Digits that Number() reads exactly; other spellings ValidationPipe may accept are left to it.
const PLAIN_INTEGER = /^-?\d{1,15}$/;

function plainValue(kind: ParameterKind, value: string): { value: string | number | undefined } | undefined {
  switch (kind) {
    case 'string':
      return { value };
    case 'integer':
      if (value === '') return { value: undefined };
      return PLAIN_INTEGER.test(value) ? { value: Number(value) } : undefined;
    case 'sortOrder':
      return value === 'ascending' || value === 'descending' ? { value } : undefined;
    default: {
      const _exhaustive: never = kind;
      return _exhaustive;
    }
  }
}

/**
 * The DTO ValidationPipe({ transform: true, whitelist: true }) would give for a query whose
 * parameters are single, well-formed strings, built without class-transformer and
 * class-validator (a measurable share of every SCIM read); undefined when anything needs their
 * judgement (a repeated parameter, a malformed number, another DTO), so that errors keep their
 * wording. Unknown parameters are dropped, as the whitelist drops them.
 */
export function wellFormedQueryDto(metatype: Function | undefined, query: unknown): object | undefined {
  const parameters = metatype && parametersOf.get(metatype);
  if (!parameters || typeof query !== 'object' || query === null) return undefined;
  const dto = new (metatype as new () => Record<string, unknown>)();
  for (const [name, raw] of Object.entries(query)) {
    const kind = Object.hasOwn(parameters, name) ? parameters[name] : undefined;
    if (kind === undefined) continue;
    if (typeof raw !== 'string') return undefined;
    const plain = plainValue(kind, raw);
    if (!plain) return undefined;
    dto[name] = plain.value;
  }
  return dto;
}
