import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min, ValidateIf } from 'class-validator';
import { MAX_RETENTION_DAYS } from '@scim/domain';

export class RetentionPolicyDto {
  @ApiProperty({
    description: 'Days after which a deprovisioned user is erased (docs/PRIVACY.md); null keeps them until erased by hand (the default)',
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: MAX_RETENTION_DAYS,
    example: 30,
  })
  // Required, and either null or a whole number of days: absent is refused rather than read as "off".
  @ValidateIf((_body, value) => value !== null)
  @IsInt()
  @Min(1)
  @Max(MAX_RETENTION_DAYS)
  eraseDeprovisionedAfterDays!: number | null;
}

export class RetentionPolicyResponseDto extends RetentionPolicyDto {
  @ApiProperty() accountId!: string;
}
