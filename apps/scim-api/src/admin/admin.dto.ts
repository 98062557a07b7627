import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { MAX_TOKEN_VALIDITY_DAYS } from '@scim/domain';

export class CreateAccountDto {
  @IsString() @Length(1, 200) name!: string;
}

export class IssueTokenDto {
  /** How long the token stays valid, chosen by the administrator. */
  @Type(() => Number) @IsInt() @Min(1) @Max(MAX_TOKEN_VALIDITY_DAYS) validForDays!: number;

  /** A name for the token, e.g. the IdP it was pasted into. */
  @IsOptional() @IsString() @Length(0, 100) label?: string;
}
