import { type DynamicModule, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EventStore } from '@scim/event-store';
import { DeletedUsersLeaveGroupsProcess, GroupWriteModel, ReadModelFreshness, RetentionProcess, RolesViaGroupsProcess, UserWriteModel } from '@scim/provisioning';
import { ReadStore } from '@scim/read-models';
import type { AppConfig } from '../config/app-config';

/** Starts the process managers once the application is up, and stops them (batch in flight first) at shutdown. */
@Injectable()
class ProcessManagersLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly roles: RolesViaGroupsProcess,
    private readonly deletedUsers: DeletedUsersLeaveGroupsProcess,
    private readonly retention: RetentionProcess,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.roles.start();
    await this.deletedUsers.start();
    await this.retention.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.roles.stop(), this.deletedUsers.stop(), this.retention.stop()]);
  }
}

/**
 * The process managers (libs/provisioning) run where the projections run: in this process in
 * embedded mode (or with RUN_PROJECTIONS=true), else in apps/projector. Every API replica running
 * them would emit each reaction once per replica.
 */
@Module({})
export class ProcessManagersModule {
  static forRoot(config: AppConfig): DynamicModule {
    const inProcess = config.storage.kind === 'embedded' || config.storage.runProjections;
    if (!inProcess) {
      new Logger('ProcessManagers').log('Process managers run in apps/projector');
      return { module: ProcessManagersModule };
    }
    return {
      module: ProcessManagersModule,
      providers: [
        {
          provide: RolesViaGroupsProcess,
          inject: [EventStore, ReadStore, UserWriteModel, GroupWriteModel, ReadModelFreshness],
          useFactory: (eventStore: EventStore, readStore: ReadStore, users: UserWriteModel, groups: GroupWriteModel, freshness: ReadModelFreshness) =>
            new RolesViaGroupsProcess(eventStore, readStore, users, groups, freshness, new Logger(RolesViaGroupsProcess.checkpointName)),
        },
        {
          provide: DeletedUsersLeaveGroupsProcess,
          inject: [EventStore, ReadStore, GroupWriteModel, ReadModelFreshness],
          useFactory: (eventStore: EventStore, readStore: ReadStore, groups: GroupWriteModel, freshness: ReadModelFreshness) =>
            new DeletedUsersLeaveGroupsProcess(eventStore, readStore, groups, freshness, new Logger(DeletedUsersLeaveGroupsProcess.checkpointName)),
        },
        {
          provide: RetentionProcess,
          inject: [EventStore, ReadStore, UserWriteModel],
          useFactory: (eventStore: EventStore, readStore: ReadStore, users: UserWriteModel) =>
            new RetentionProcess(eventStore, readStore, users, new Logger(RetentionProcess.checkpointName)),
        },
        ProcessManagersLifecycle,
      ],
    };
  }
}
