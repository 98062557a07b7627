import type { GroupView } from '@scim/read-models/projections';
import type { GroupMember, MembersShown } from '../group-members/group-members.query';

export class GetGroupQuery {
  constructor(
    readonly accountId: string,
    readonly groupId: string,
    readonly members: MembersShown,
  ) {}
}

export interface GroupWithMembers {
  readonly view: GroupView;
  readonly members: readonly GroupMember[] | undefined;
}
