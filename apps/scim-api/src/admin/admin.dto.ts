import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { CUSTOM_ATTRIBUTE_TYPES, MAX_TOKEN_VALIDITY_DAYS, UNDECLARED_EXTENSIONS_POLICIES } from '@scim/domain';
import { MAX_INDEX, toNumber } from '../shared/numeric-input';

export class CreateAccountDto {
  @ApiProperty({ example: 'Acme Corp' }) @IsString() @Length(1, 200) name!: string;
}

export class IssueTokenDto {
  @ApiProperty({ description: 'How long the token stays valid, chosen by the administrator', minimum: 1, maximum: MAX_TOKEN_VALIDITY_DAYS, example: 180 })
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(MAX_TOKEN_VALIDITY_DAYS)
  validForDays!: number;

  @ApiPropertyOptional({ description: 'A name for the credential, e.g. the IdP it was pasted into', example: 'Okta production' })
  @IsOptional()
  @IsString()
  @Length(0, 100)
  label?: string;
}

/** A credential's label only (events API keys). */
export class CredentialLabelDto {
  @ApiPropertyOptional({ example: 'Acme IT admin' }) @IsOptional() @IsString() @Length(0, 100) label?: string;
}

export class IssueAdminKeyDto extends CredentialLabelDto {
  @ApiPropertyOptional({ description: 'Days until the key expires; omitted, it never expires', minimum: 1, maximum: MAX_TOKEN_VALIDITY_DAYS, example: 90 })
  @IsOptional()
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(MAX_TOKEN_VALIDITY_DAYS)
  validForDays?: number;
}

export class DefineRoleDto {
  @ApiProperty({ example: 'billing-admin' }) @IsString() @Length(1, 64) role!: string;
  @ApiPropertyOptional({ example: 'Can manage invoices' }) @IsOptional() @IsString() @Length(0, 500) description?: string;
}

/** An attribute of an account's schema extension (RFC 7643 §2.2 characteristics); the account decider checks the rest. */
export class DeclareCustomAttributeDto {
  @ApiProperty({ enum: ['User', 'Group'], description: 'Only User is offered yet' }) @IsIn(['User', 'Group']) resourceType!: string;
  @ApiProperty({ example: 'urn:ietf:params:scim:schemas:extension:Contoso:2.0:User' }) @IsString() @Length(1, 200) schemaUrn!: string;
  @ApiProperty({ example: 'costCenterCode' }) @IsString() @Length(1, 64) name!: string;
  @ApiProperty({ enum: CUSTOM_ATTRIBUTE_TYPES }) @IsIn(CUSTOM_ATTRIBUTE_TYPES) type!: string;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() multiValued?: boolean;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() caseExact?: boolean;
  @ApiPropertyOptional({ default: false, description: 'Every create and replace must then carry a value' }) @IsOptional() @IsBoolean() required?: boolean;
  @ApiPropertyOptional({ enum: ['none', 'server'], default: 'none', description: '"server" is not offered yet' }) @IsOptional() @IsIn(['none', 'server']) uniqueness?: string;
  @ApiPropertyOptional({ example: 'Cost center code from HR' }) @IsOptional() @IsString() @Length(0, 500) description?: string;
}

export class UndeclaredExtensionsDto {
  @ApiProperty({ enum: UNDECLARED_EXTENSIONS_POLICIES, description: 'refuse: 400 invalidValue naming the URN; note: accepted without those values, the URN recorded in the notes' })
  @IsIn(UNDECLARED_EXTENSIONS_POLICIES)
  policy!: string;
}

export class CreateManualUserDto {
  @ApiProperty({ example: 'grace@acme.com' }) @IsString() @Length(1, 256) userName!: string;
  @ApiPropertyOptional({ example: 'Grace Hopper' }) @IsOptional() @IsString() @Length(1, 256) displayName?: string;
  @ApiPropertyOptional({ example: 'grace@acme.com' }) @IsOptional() @IsEmail() email?: string;
}

export class AssignRoleDto {
  @ApiProperty({ example: 'billing-admin' }) @IsString() @Length(1, 64) role!: string;
}

export class CreatePlatformGroupDto {
  @ApiProperty({ example: 'Administrators' }) @IsString() @Length(1, 256) displayName!: string;
}

export class RoleMappingDto {
  @ApiProperty({ type: [String], example: ['billing-admin'] }) @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) roles!: string[];
}

export class MembersDto {
  @ApiProperty({ type: [String] }) @IsArray() @ArrayMaxSize(100_000) @IsString({ each: true }) members!: string[];
}

/** Every admin list takes the same paging parameters and answers an AdminPage (admin-page.ts). */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, default: 1, description: '1-based index of the first item' })
  @IsOptional()
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(MAX_INDEX)
  startIndex?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1000, default: 100, description: 'items per page' })
  @IsOptional()
  @Transform(toNumber)
  @IsInt()
  @Min(0)
  @Max(1000)
  count?: number;
}

export class SearchQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'case-insensitive prefix of the name (of a user: user name, display name or email)' })
  @IsOptional()
  @IsString()
  @Length(0, 256)
  search?: string;
}

export const USER_SOURCES = ['Manual', 'SCIM'] as const;
export type UserSource = (typeof USER_SOURCES)[number];
export const GROUP_SOURCES = ['Platform', 'SCIM'] as const;

export class AdminListQueryDto extends SearchQueryDto {
  @ApiPropertyOptional({ enum: USER_SOURCES }) @IsOptional() @IsIn(USER_SOURCES) source?: UserSource;
  @ApiPropertyOptional({ enum: ['active', 'inactive'] }) @IsOptional() @IsIn(['active', 'inactive']) status?: 'active' | 'inactive';
  @ApiPropertyOptional({ description: 'userName, case-insensitive exact match' }) @IsOptional() @IsString() userName?: string;
  @ApiPropertyOptional({ description: 'only users who hold this role now (manual or through a group; not while inactive)' }) @IsOptional() @IsString() role?: string;
}

export class GroupListQueryDto extends SearchQueryDto {
  @ApiPropertyOptional({ enum: GROUP_SOURCES }) @IsOptional() @IsIn(GROUP_SOURCES) source?: (typeof GROUP_SOURCES)[number];
}
