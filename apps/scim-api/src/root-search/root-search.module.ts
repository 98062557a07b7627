import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { RootSearchController } from './root-search.controller';

/** POST {base}/.search across resource types (RFC 7644 §3.4.3); the types' own queries answer it. */
@Module({
  imports: [UsersModule],
  controllers: [RootSearchController],
})
export class RootSearchModule {}
