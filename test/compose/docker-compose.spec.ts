import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { loadConfig } from '../../apps/scim-api/src/config/app-config';
import { resolveAuditorKey, resolveOperatorKey } from '../../apps/scim-api/src/config/operator-key';
import { loadProjectorConfig } from '../../apps/projector/src/projector-config';

/**
 * `docker compose config` cannot run here (a Docker client without the compose plugin, no engine),
 * so the compose file, the Dockerfile and the CI workflow are checked by parsing them: structure,
 * images, health checks, start order, and the connection strings run through the services' own
 * start-up validation.
 */
const ROOT = join(__dirname, '..', '..');

type Yaml = Record<string, any>;

function readYaml(file: string): Yaml {
  const document = parseDocument(readFileSync(join(ROOT, file), 'utf8'), { uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0 || document.warnings.length > 0) {
    throw new Error(`${file}: ${[...document.errors, ...document.warnings].map((problem) => problem.message).join('; ')}`);
  }
  return document.toJS({ maxAliasCount: 20 }) as Yaml;
}

/** Compose's ${VAR:-default} interpolation, with nothing set in the environment. */
function interpolate(value: string): string {
  return value.replace(/\$\{([A-Z0-9_]+)(:?-)([^}]*)\}/g, (_match, _name, _operator, fallback: string) => fallback);
}

function environmentOf(service: Yaml): Record<string, string> {
  const environment = service.environment as Record<string, unknown>;
  expect(environment).toEqual(expect.any(Object));
  expect(Array.isArray(environment)).toBe(false);
  return Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, interpolate(String(value))]));
}

function healthcheckScript(service: Yaml): string {
  const test = service.healthcheck?.test as string[] | string;
  return Array.isArray(test) ? test.slice(1).join(' ') : test;
}

const DURATION = /^\d+(ms|s|m|h)$/;

/** The Compose service keys this file may use: a misspelt key is otherwise ignored silently. */
const SERVICE_KEYS = new Set([
  'build', 'image', 'command', 'entrypoint', 'environment', 'env_file', 'ports', 'expose', 'volumes', 'depends_on',
  'healthcheck', 'deploy', 'restart', 'stop_grace_period', 'networks', 'labels', 'init', 'user', 'working_dir',
]);

describe('docker-compose.yml', () => {
  const compose = readYaml('docker-compose.yml');
  const services = compose.services as Record<string, Yaml>;

  it('has only known top-level and service keys, and declares the volumes it mounts', () => {
    for (const key of Object.keys(compose)) expect(['name', 'services', 'volumes', 'networks'].includes(key) || key.startsWith('x-')).toBe(true);
    expect(Object.keys(services).sort()).toEqual(['eventstore', 'load-balancer', 'mongodb', 'projector', 'scim-api']);
    for (const [name, service] of Object.entries(services)) {
      const unknown = Object.keys(service).filter((key) => !SERVICE_KEYS.has(key));
      expect({ service: name, unknown }).toEqual({ service: name, unknown: [] });
      for (const mount of (service.volumes ?? []) as string[]) {
        const source = mount.split(':')[0];
        if (source.startsWith('.')) expect(existsSync(join(ROOT, source))).toBe(true);
        else expect(Object.keys(compose.volumes ?? {})).toContain(source);
      }
    }
  });

  it('needs no environment variable to start: every interpolation has a default', () => {
    const text = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
    const interpolations = text.match(/\$\{[^}]*\}/g) ?? [];
    expect(interpolations.length).toBeGreaterThan(0);
    for (const interpolation of interpolations) expect(interpolation).toMatch(/^\$\{[A-Z0-9_]+:-[^}]+\}$/);
  });

  it('runs a supported EventStoreDB as an insecure single node for local use, with a health check', () => {
    const eventstore = services.eventstore;
    // The image EventStoreDB 24.10's own installation guide names (its registry, not Docker Hub).
    expect(eventstore.image).toMatch(/^docker\.eventstore\.com\/eventstore\/eventstoredb-ee:24\.10\.\d+(-[a-z0-9.-]+)?$/);
    expect(environmentOf(eventstore)).toMatchObject({ EVENTSTORE_CLUSTER_SIZE: '1', EVENTSTORE_INSECURE: 'true' });
    expect(eventstore.ports).toEqual(['127.0.0.1:2113:2113']);
    expect(healthcheckScript(eventstore)).toContain('http://localhost:2113/health/live');
  });

  it('runs MongoDB 7 as a replica set that its health check initiates', () => {
    const mongodb = services.mongodb;
    expect(mongodb.image).toMatch(/^mongo:7(\.\d+)*$/);
    const command = mongodb.command as string[];
    const replicaSet = command[command.indexOf('--replSet') + 1];
    expect(replicaSet).toBe('rs0');
    const script = healthcheckScript(mongodb).replace(/^mongosh --quiet --eval /, '');
    expect(() => new Function(script)).not.toThrow();
    expect(script).toContain(`rs.initiate({ _id: '${replicaSet}', members: [{ _id: 0, host: 'mongodb:27017' }] })`);
    expect(script).toContain('isWritablePrimary');
    expect(mongodb.ports).toEqual(['127.0.0.1:27017:27017']);
  });

  it('gives the API and the projector connection strings their own start-up validation accepts, pointing at these services', () => {
    const replicaSet = (services.mongodb.command as string[])[(services.mongodb.command as string[]).indexOf('--replSet') + 1];
    for (const name of ['scim-api', 'projector']) {
      const environment = environmentOf(services[name]);
      expect(environment.EVENTSTORE_URL).toMatch(/^esdb:\/\/eventstore:2113\?tls=false$/);
      expect(new URL(environment.MONGODB_URL).host).toBe('mongodb:27017');
      expect(new URL(environment.MONGODB_URL).searchParams.get('replicaSet')).toBe(replicaSet);
    }

    const api = loadConfig(environmentOf(services['scim-api']));
    expect(api.storage).toEqual({
      kind: 'distributed',
      eventStoreUrl: 'esdb://eventstore:2113?tls=false',
      mongoUrl: 'mongodb://mongodb:27017/scim?replicaSet=rs0',
      mongoDatabase: 'scim',
      runProjections: false,
    });
    expect(resolveOperatorKey(api).source).toBe('OPERATOR_KEY');
    expect(resolveAuditorKey(api)?.source).toBe('AUDITOR_KEY');
    // Distributed mode generates no userName hashing key: every replica must hash names alike.
    expect(api.nameHashingKey?.length).toBeGreaterThanOrEqual(43);

    const projector = loadProjectorConfig(environmentOf(services.projector));
    expect(projector.mongoDatabase).toBe(api.storage.kind === 'distributed' ? api.storage.mongoDatabase : undefined);
    expect(projector.port).toBe(8081);
  });

  it('builds the API and the projector from the Dockerfile, running the entry points the build emits', () => {
    for (const name of ['scim-api', 'projector']) {
      expect(services[name].build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
      expect(services[name].image).toBe('scim-provisioning:local');
    }
    expect(existsSync(join(ROOT, 'Dockerfile'))).toBe(true);
    expect(services.projector.command).toEqual(['node', 'dist/apps/projector/src/main.js']);
    expect(existsSync(join(ROOT, 'apps/projector/src/main.ts'))).toBe(true);
  });

  it('runs several API replicas behind the load balancer, and one projector', () => {
    const api = services['scim-api'];
    expect(api.deploy.replicas).toBeGreaterThanOrEqual(2);
    // A published host port would collide between replicas.
    expect(api.ports).toBeUndefined();
    expect(api.expose).toEqual(['8080']);
    expect(services.projector.deploy.replicas).toBe(1);

    const balancer = services['load-balancer'];
    expect(balancer.ports).toEqual(['8080:8080']);
    const nginx = readFileSync(join(ROOT, 'deploy/nginx.conf'), 'utf8');
    expect(nginx).toMatch(/listen 8080;/);
    expect(nginx).toMatch(/set \$scim_api http:\/\/scim-api:8080;/);
    expect(nginx).toMatch(/resolver 127\.0\.0\.11/);
  });

  it('health-checks every service, probing the port it serves on', () => {
    for (const [name, service] of Object.entries(services)) {
      const { test, interval, timeout, retries } = service.healthcheck ?? {};
      expect({ name, kind: Array.isArray(test) ? test[0] : typeof test }).toEqual({ name, kind: expect.stringMatching(/^CMD(-SHELL)?$/) });
      expect(interval).toMatch(DURATION);
      expect(timeout).toMatch(DURATION);
      expect(retries).toBeGreaterThan(0);
    }
    for (const [name, port] of [['scim-api', 8080], ['projector', 8081]] as const) {
      const script = (services[name].healthcheck.test as string[])[3];
      expect(services[name].healthcheck.test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
      expect(() => new Function(script)).not.toThrow();
      expect(script).toContain(`http://127.0.0.1:${port}/health`);
    }
    expect(healthcheckScript(services['load-balancer'])).toContain('http://127.0.0.1:8080/health');
  });

  it('starts each service only once what it depends on is healthy, without cycles', () => {
    const dependencies = (name: string) => Object.keys((services[name].depends_on ?? {}) as Yaml);
    for (const name of Object.keys(services)) {
      for (const [dependency, rule] of Object.entries((services[name].depends_on ?? {}) as Record<string, Yaml>)) {
        expect(services[dependency]).toBeDefined();
        expect(rule).toEqual({ condition: 'service_healthy' });
        expect(services[dependency].healthcheck).toBeDefined();
      }
    }
    expect(dependencies('projector').sort()).toEqual(['eventstore', 'mongodb']);
    expect(dependencies('scim-api').sort()).toEqual(['eventstore', 'mongodb', 'projector']);
    expect(dependencies('load-balancer')).toEqual(['scim-api']);

    const visiting = new Set<string>();
    const visit = (name: string, path: readonly string[]): void => {
      if (path.includes(name)) throw new Error(`cycle: ${[...path, name].join(' -> ')}`);
      visiting.add(name);
      for (const dependency of dependencies(name)) visit(dependency, [...path, name]);
    };
    for (const name of Object.keys(services)) expect(() => visit(name, [])).not.toThrow();
    expect(visiting.size).toBe(Object.keys(services).length);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const instructions = dockerfile.split('\n').filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));

  it('builds in one stage and runs from a slim one, on Node 20', () => {
    const stages = instructions.filter((line) => line.startsWith('FROM '));
    expect(stages).toEqual(['FROM node:20-bookworm AS build', 'FROM node:20-bookworm-slim']);
    expect(instructions).toContain('RUN npm ci --no-audit --no-fund');
    expect(instructions.some((line) => /^RUN npm run build( |$)/.test(line))).toBe(true);
    expect(instructions).toContain('COPY --from=build --chown=node:node /app/dist ./dist');
    expect(instructions).toContain('USER node');
  });

  it('starts the API by default, from the path the build emits, as npm start and npm run start:prod do', () => {
    const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
    const last = instructions[instructions.length - 1];
    expect(last).toMatch(/^CMD \[/);
    const command = JSON.parse(last.slice('CMD '.length)) as string[];
    expect(command[0]).toBe('node');
    expect(command[command.length - 1]).toBe('dist/apps/scim-api/src/main.js');
    // One set of node options (the heap budget) wherever the service starts; the benchmark reads start:prod's.
    expect(scripts['start:prod']).toBe(command.join(' '));
    expect(scripts.start).toBe(`npm run --silent build && ${command.join(' ')}`);
    expect(command.some((option) => /^--max-old-space-size=\d+$/.test(option))).toBe(true);
    expect(existsSync(join(ROOT, 'apps/scim-api/src/main.ts'))).toBe(true);
    // scripts/build.js compiles tsconfig.build.json into a fresh folder and swaps it in as dist/.
    expect(scripts.build).toBe('node scripts/build.js');
    expect(readFileSync(join(ROOT, 'scripts/build.js'), 'utf8')).toContain("'-p', 'tsconfig.build.json'");
    expect(JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')).compilerOptions.outDir).toBe('./dist');
  });

  it('copies into the image only what the build needs', () => {
    const copied = instructions.filter((line) => line.startsWith('COPY ') && !line.includes('--from='));
    expect(copied).toEqual(['COPY package.json package-lock.json ./', 'COPY tsconfig.json tsconfig.build.json nest-cli.json ./', 'COPY apps apps', 'COPY libs libs', 'COPY scripts/build.js scripts/build.js']);
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', 'dist', 'data', '.git']) expect(ignored).toContain(entry);
  });
});

describe('.github/workflows/distributed.yml', () => {
  const workflow = readYaml('.github/workflows/distributed.yml');
  const compose = readYaml('docker-compose.yml');
  const jobs = Object.values(workflow.jobs as Record<string, Yaml>);
  const steps = jobs.flatMap((job) => job.steps as Yaml[]);
  const runs = steps.map((step) => String(step.run ?? ''));

  it('starts the same EventStoreDB and MongoDB images as docker compose', () => {
    const eventstore = jobs.map((job) => job.services?.eventstore).find(Boolean);
    expect(eventstore.image).toBe(compose.services.eventstore.image);
    expect(eventstore.env).toMatchObject({ EVENTSTORE_INSECURE: 'true', EVENTSTORE_CLUSTER_SIZE: '1' });
    expect(eventstore.options).toContain('--health-cmd');
    // A service container cannot be given mongod's --replSet: MongoDB is started by a step.
    expect(runs.some((run) => run.includes(`docker run`) && run.includes(compose.services.mongodb.image) && run.includes('--replSet rs0'))).toBe(true);
    expect(runs.some((run) => run.includes('rs.initiate('))).toBe(true);
  });

  it('runs the contract suites with both URLs set, and fails if one of them was skipped', () => {
    const contractStep = steps.find((step) => String(step.run ?? '').includes('npx jest libs/event-store libs/read-models'));
    expect(contractStep).toBeDefined();
    const env = { ...(workflow.env ?? {}), ...jobs[0].env, ...contractStep?.env } as Record<string, string>;
    expect(loadConfig({ EVENTSTORE_URL: env.EVENTSTORE_URL, MONGODB_URL: env.MONGODB_URL, ROOT_KEY: 'ab'.repeat(32) }).storage.kind).toBe('distributed');
    expect(runs.some((run) => run.includes('scripts/ci/assert-suites-ran.js'))).toBe(true);
    expect(existsSync(join(ROOT, 'scripts/ci/assert-suites-ran.js'))).toBe(true);
  });
});
