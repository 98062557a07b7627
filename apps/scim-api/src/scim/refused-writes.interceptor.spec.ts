import 'reflect-metadata';
import { RequestMethod, type Type } from '@nestjs/common';
import { INTERCEPTORS_METADATA, METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { GroupsModule } from '../groups/groups.module';
import { UsersModule } from '../users/users.module';
import { RefusedWritesInterceptor } from './refused-writes.interceptor';

const WRITES = [RequestMethod.POST, RequestMethod.PUT, RequestMethod.PATCH, RequestMethod.DELETE];

/** Every route of the SCIM resource modules: handler, HTTP method, path, interceptors in force. */
function scimRoutes(): { route: string; write: boolean; recordsRefusals: boolean }[] {
  const controllers: Type[] = [UsersModule, GroupsModule].flatMap((module) => Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, module) as Type[]);
  return controllers.flatMap((controller) =>
    Object.getOwnPropertyNames(controller.prototype).flatMap((name) => {
      const handler = controller.prototype[name] as object;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined || name === 'constructor') return [];
      const path = String(Reflect.getMetadata(PATH_METADATA, handler));
      const interceptors = [...(Reflect.getMetadata(INTERCEPTORS_METADATA, controller) ?? []), ...(Reflect.getMetadata(INTERCEPTORS_METADATA, handler) ?? [])];
      return [{
        route: `${RequestMethod[method]} ${String(Reflect.getMetadata(PATH_METADATA, controller))}${path === '/' ? '' : `/${path}`} (${controller.name}.${name})`,
        // A search is a read sent with POST (RFC 7644 §3.4.3).
        write: WRITES.includes(method) && path !== '.search',
        recordsRefusals: interceptors.includes(RefusedWritesInterceptor),
      }];
    }),
  );
}

describe('Refused SCIM writes are recorded on every write route, and reads stay without the interceptor', () => {
  const routes = scimRoutes();

  it('finds the writes and the reads of /Users and /Groups', () => {
    expect(routes.filter((route) => route.write)).toHaveLength(8);
    expect(routes.filter((route) => !route.write)).toHaveLength(6);
  });

  it.each(routes.map((route) => [route.route, route] as const))('%s', (_, route) => {
    expect(route.recordsRefusals).toBe(route.write);
  });
});
