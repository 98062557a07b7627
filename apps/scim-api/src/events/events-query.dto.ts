import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { publicEventTypes, type PublicEventType } from '@scim/public-events';
import { toNumber } from '../shared/numeric-input';

export const DEFAULT_EVENTS_PAGE = 100;
export const MAX_EVENTS_PAGE = 1000;

const toList = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter(Boolean);

export class EventsQueryDto {
  @ApiPropertyOptional({ description: 'Cursor: the nextCursor of the previous page, or the cursor of the last event handled; omitted = from the beginning' })
  @IsOptional()
  @Matches(/^\d{1,15}$/, { message: 'after must be a cursor from a previous response (digits)' })
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_EVENTS_PAGE, default: DEFAULT_EVENTS_PAGE })
  @IsOptional()
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(MAX_EVENTS_PAGE)
  limit?: number;

  @ApiPropertyOptional({ description: 'Comma-separated public event types', example: 'user.deleted,user.roles_changed' })
  @IsOptional()
  @Transform(toList)
  @IsIn(publicEventTypes, { each: true, message: `types must be among: ${publicEventTypes.join(', ')}` })
  types?: PublicEventType[];
}
