import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsOptional, IsString, Length, Max, Min, ValidateIf } from 'class-validator';
import { publicEventTypes } from '@scim/public-events';
import { toNumber } from '../shared/numeric-input';

export class RegisterWebhookDto {
  @ApiProperty({ example: 'https://app.example.com/hooks/scim' }) @IsString() @Length(1, 2000) url!: string;

  @ApiPropertyOptional({ description: 'Public event types to deliver; omitted = every type', enum: publicEventTypes, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(publicEventTypes.length)
  @IsString({ each: true })
  events?: string[];

  @ApiPropertyOptional({ example: 'Production app' }) @IsOptional() @IsString() @Length(0, 500) description?: string;
}

export class ChangeWebhookDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 2000) url?: string;

  @ApiPropertyOptional({ description: 'Public event types to deliver; null = every type', enum: publicEventTypes, isArray: true, nullable: true })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsArray()
  @ArrayMaxSize(publicEventTypes.length)
  @IsString({ each: true })
  events?: string[] | null;

  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 500) description?: string;

  @ApiPropertyOptional({ description: 'false stops deliveries (kept in the log); true resumes them from where they stopped' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class DeliveriesQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @IsOptional() @Transform(toNumber) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ description: 'An attempt id: older attempts than this one' }) @IsOptional() @IsString() @Length(1, 200) before?: string;
}
