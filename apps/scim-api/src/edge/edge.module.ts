import { Global, Module } from '@nestjs/common';
import { AdmissionControl } from './admission-control';
import { Credentials } from './credentials';
import { JsonBodyReader } from './json-body-reader';
import { RequestEdge } from './request-edge';

/** The request edge (configureApp mounts RequestEdge before routing); Credentials for other checks. */
@Global()
@Module({
  providers: [Credentials, AdmissionControl, JsonBodyReader, RequestEdge],
  exports: [Credentials, AdmissionControl, RequestEdge],
})
export class EdgeModule {}
