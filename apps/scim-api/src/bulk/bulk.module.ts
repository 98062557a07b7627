import { Module } from '@nestjs/common';
import { ScimModule } from '../scim/scim.module';
import { BulkController } from './bulk.controller';
import { BulkOperations } from './bulk-operations';

/** POST /Bulk (RFC 7644 §3.7): the users' and groups' command handlers do the work, through the CommandBus. */
@Module({
  imports: [ScimModule],
  controllers: [BulkController],
  providers: [BulkOperations],
})
export class BulkModule {}
