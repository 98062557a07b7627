import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString } from 'class-validator';

const toInteger = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

/** RFC 7644 §3.4.2 query parameters; also the body of POST /.search (§3.4.3). */
export class ListQueryDto {
  @IsOptional() @IsString() filter?: string;

  /** 1-based; values below 1 are read as 1 (§3.4.2.4). */
  @IsOptional() @Transform(toInteger) @IsInt() startIndex?: number;

  /** Negative values are read as 0 (§3.4.2.4). */
  @IsOptional() @Transform(toInteger) @IsInt() count?: number;

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
