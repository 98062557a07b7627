import { All, Controller } from '@nestjs/common';
import { ScimError } from '@scim/scim-protocol';

/**
 * Endpoints RFC 7644 defines that this service does not offer: /ServiceProviderConfig says so
 * (bulk unsupported), and a request gets 501 (§3.2, §3.11), not a misleading 404.
 */
@Controller('scim/v2/:accountId')
export class UnsupportedController {
  @All('Bulk')
  bulk(): never {
    throw new ScimError(501, 'Bulk operations are not supported (see /ServiceProviderConfig); send requests one by one');
  }

  @All('Me')
  me(): never {
    throw new ScimError(501, '/Me is not supported: bearer tokens identify an identity provider, not a user');
  }
}
