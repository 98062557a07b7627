import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { MAX_INDEX, toNumber } from '../shared/numeric-input';

// A full instant (Z or an offset), or a date (midnight UTC): never a local time that depends on the server.
const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const EVENT_TYPE = /^[A-Za-z][A-Za-z0-9]{0,99}$/;

export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;

/** Filters shared by the paged history and the NDJSON export. */
export class AuditFilterQueryDto {
  @ApiPropertyOptional({ description: 'Event type; repeat to allow several', type: [String], example: ['UserProvisioned'] })
  @IsOptional()
  @Transform(({ value }) => (Array.isArray(value) ? value : [value]))
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(EVENT_TYPE, { each: true, message: 'type must be an event type name such as UserProvisioned' })
  type?: string[];

  @ApiPropertyOptional({ description: 'Recorded at or after this instant (ISO-8601)', example: '2025-01-01T00:00:00Z' })
  @IsOptional()
  @Matches(INSTANT, { message: 'from must be an ISO-8601 instant with a time zone, or a date' })
  from?: string;

  @ApiPropertyOptional({ description: 'Recorded before this instant (ISO-8601)', example: '2025-02-01T00:00:00Z' })
  @IsOptional()
  @Matches(INSTANT, { message: 'to must be an ISO-8601 instant with a time zone, or a date' })
  to?: string;

  @ApiPropertyOptional({ description: 'Global position to continue after (nextCursor of the previous page); 0 = from the start', minimum: 0 })
  @IsOptional()
  @Transform(toNumber)
  @IsInt()
  @Min(0)
  @Max(MAX_INDEX)
  cursor?: number;
}

export class AuditPageQueryDto extends AuditFilterQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;
}
