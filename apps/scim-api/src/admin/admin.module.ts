import { DynamicModule, Module } from '@nestjs/common';
import { AccountsController } from './accounts.controller';
import { RunAccountCommandHandler } from './account-command';
import { OPERATOR_KEY, OperatorGuard } from './operator.guard';

@Module({})
export class AdminModule {
  static forRoot(operatorKey: string): DynamicModule {
    return {
      module: AdminModule,
      controllers: [AccountsController],
      providers: [RunAccountCommandHandler, OperatorGuard, { provide: OPERATOR_KEY, useValue: operatorKey }],
    };
  }
}
