import { All, Controller } from '@nestjs/common';
import { ScimError } from '@scim/scim-protocol';

/**
 * An endpoint RFC 7644 defines that this service does not offer (/Me): a request gets 501
 * (§3.2, §3.11), not a misleading 404.
 */
@Controller('scim/v2/:accountId')
export class UnsupportedController {
  @All('Me')
  me(): never {
    throw new ScimError(501, '/Me is not supported: bearer tokens identify an identity provider, not a user');
  }
}
