import type { Type } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { GROUP_SOURCES, USER_SOURCES } from './admin.dto';

/** Response schemas of the admin API, for its OpenAPI document (/admin/docs-json). */

/** The one paged shape (admin-page.ts), named per item type so the document shows each. */
export function PageOf<T>(item: Type<T>, name: string) {
  class Page {
    @ApiProperty({ description: 'items matching, on every page' }) totalResults!: number;
    @ApiProperty({ description: '1-based index of the first item of this page' }) startIndex!: number;
    @ApiProperty({ description: 'items on this page' }) itemsPerPage!: number;
    @ApiProperty({ type: [item] }) items!: T[];
  }
  Object.defineProperty(Page, 'name', { value: name });
  return Page;
}

export class SessionDto {
  @ApiProperty({ enum: ['operator', 'auditor', 'account-admin'] }) role!: 'operator' | 'auditor' | 'account-admin';
  @ApiPropertyOptional({ description: 'account admin only' }) accountId?: string;
  @ApiPropertyOptional() accountName?: string;
  @ApiPropertyOptional() keyId?: string;
  @ApiPropertyOptional() keyLabel?: string;
}

export class AccountSummaryDto {
  @ApiProperty() accountId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty() scimEnabled!: boolean;
}
export class AccountPageDto extends PageOf(AccountSummaryDto, 'AccountPage') {}

export class AccountDto extends AccountSummaryDto {
  @ApiProperty({ example: 'https://scim.example.com/scim/v2/7d1c…' }) scimBaseUrl!: string;
}

export class CreatedAccountDto {
  @ApiProperty() accountId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() scimBaseUrl!: string;
}

export class ScimSwitchDto {
  @ApiProperty() accountId!: string;
  @ApiProperty() scimEnabled!: boolean;
  @ApiPropertyOptional() scimBaseUrl?: string;
}

export class IssuedAdminKeyDto {
  @ApiProperty() keyId!: string;
  @ApiProperty({ description: 'shown in this response only: `admin.<keyId>.<secret>`' }) key!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ format: 'date-time' }) issuedAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, description: 'null: never expires' }) expiresAt!: string | null;
}

export class AdminKeyDto {
  @ApiProperty() keyId!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ format: 'date-time' }) issuedAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, description: 'null: never expires' }) expiresAt!: string | null;
  @ApiPropertyOptional({ format: 'date-time' }) revokedAt?: string;
  @ApiProperty({ enum: ['active', 'expired', 'revoked'] }) status!: string;
}
export class AdminKeyPageDto extends PageOf(AdminKeyDto, 'AdminKeyPage') {}

export class IssuedTokenDto {
  @ApiProperty() tokenId!: string;
  @ApiProperty({ description: 'shown in this response only: `scim.<tokenId>.<secret>`' }) token!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ format: 'date-time' }) issuedAt!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}

export class TokenDto {
  @ApiProperty() tokenId!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ format: 'date-time' }) issuedAt!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiPropertyOptional({ format: 'date-time' }) revokedAt?: string;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'last request the token authenticated, as seen by this API process since it started (kept in memory, not in the event log)',
  })
  lastUsedAt!: string | null;
  @ApiProperty({ enum: ['active', 'expired', 'revoked'] }) status!: string;
}
export class TokenPageDto extends PageOf(TokenDto, 'TokenPage') {}

export class RoleDto {
  @ApiProperty({ example: 'billing-admin' }) role!: string;
  @ApiProperty() description!: string;
  @ApiPropertyOptional({ format: 'date-time' }) definedAt?: string;
}
export class RolePageDto extends PageOf(RoleDto, 'RolePage') {}

export class CustomAttributeDto {
  @ApiProperty({ enum: ['User'] }) resourceType!: string;
  @ApiProperty() schemaUrn!: string;
  @ApiProperty() name!: string;
  @ApiProperty() type!: string;
  @ApiProperty() multiValued!: boolean;
  @ApiProperty() caseExact!: boolean;
  @ApiProperty() required!: boolean;
  @ApiProperty({ enum: ['none'] }) uniqueness!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ format: 'date-time' }) declaredAt!: string;
}
export class CustomAttributePageDto extends PageOf(CustomAttributeDto, 'CustomAttributePage') {}

export class GroupSummaryDto {
  @ApiProperty() id!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: GROUP_SOURCES }) source!: string;
}

export class UserListItemDto {
  @ApiProperty() id!: string;
  @ApiProperty() userName!: string;
  @ApiPropertyOptional({ description: 'displayName, else name.formatted' }) displayName?: string;
  @ApiProperty({ type: [String] }) emails!: string[];
  @ApiProperty({ enum: USER_SOURCES }) source!: string;
  @ApiProperty({ enum: ['active', 'inactive'] }) status!: string;
  @ApiProperty({ type: [GroupSummaryDto] }) groups!: GroupSummaryDto[];
  @ApiProperty({ type: [String] }) effectiveRoles!: string[];
  @ApiProperty({ format: 'date-time' }) created!: string;
  @ApiProperty({ format: 'date-time' }) lastModified!: string;
}
export class UserPageDto extends PageOf(UserListItemDto, 'UserPage') {}

export class RoleSourceDto {
  @ApiProperty({ enum: ['manual', 'pre-existing-at-conversion', 'group'] }) kind!: string;
  @ApiProperty({ format: 'date-time' }) since!: string;
  @ApiPropertyOptional({ format: 'date-time' }) convertedAt?: string;
  @ApiPropertyOptional() groupId?: string;
  @ApiPropertyOptional() groupName?: string;
}

export class RoleWithProvenanceDto {
  @ApiProperty() role!: string;
  @ApiProperty({ description: 'false while the user is inactive: held, not in effect' }) effective!: boolean;
  @ApiProperty({ type: [RoleSourceDto] }) sources!: RoleSourceDto[];
}

export class CustomAttributeValueDto {
  @ApiProperty() schema!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'A string, number, boolean, or an array of them' }) value!: unknown;
}

export class UserDetailDto {
  @ApiProperty() id!: string;
  @ApiProperty() userName!: string;
  @ApiPropertyOptional() displayName?: string;
  @ApiProperty({ type: [String] }) emails!: string[];
  @ApiProperty({ enum: USER_SOURCES }) source!: string;
  @ApiProperty({ enum: ['active', 'inactive'] }) status!: string;
  @ApiPropertyOptional({ format: 'date-time' }) convertedAt?: string;
  @ApiProperty({ format: 'date-time' }) created!: string;
  @ApiProperty({ format: 'date-time' }) lastModified!: string;
  @ApiProperty({ type: [GroupSummaryDto] }) groups!: GroupSummaryDto[];
  @ApiProperty({ type: [RoleWithProvenanceDto] }) roles!: RoleWithProvenanceDto[];
  @ApiProperty({ type: [CustomAttributeValueDto], description: "Values of the account's declared schema extensions" }) customAttributes!: CustomAttributeValueDto[];
}

export class GroupDto {
  @ApiProperty() id!: string;
  @ApiProperty() displayName!: string;
  @ApiPropertyOptional() externalId?: string;
  @ApiProperty({ enum: GROUP_SOURCES }) source!: string;
  @ApiProperty({ type: [String] }) roles!: string[];
  @ApiProperty() memberCount!: number;
  @ApiProperty({ format: 'date-time' }) created!: string;
  @ApiProperty({ format: 'date-time' }) lastModified!: string;
}
export class GroupPageDto extends PageOf(GroupDto, 'GroupPage') {}

export class MemberDto {
  @ApiProperty() id!: string;
  @ApiProperty({ description: '"(deleted user)" for a member whose user is gone' }) userName!: string;
  @ApiPropertyOptional() displayName?: string;
  @ApiPropertyOptional({ enum: USER_SOURCES }) source?: string;
  @ApiPropertyOptional({ enum: ['active', 'inactive'] }) status?: string;
}
export class MemberPageDto extends PageOf(MemberDto, 'MemberPage') {}

export class CreatedGroupDto {
  @ApiProperty() id!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: ['Platform'] }) source!: string;
}

export class RoleMappingResultDto {
  @ApiProperty() id!: string;
  @ApiProperty({ type: [String] }) roles!: string[];
}
