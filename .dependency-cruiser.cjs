// dependency-cruiser's house rules: the layout of ../shared/STYLE.md ("Layout"), checked by `npm run lint`.
// Every rule is an error. Paths are relative to the repository root; the `#domain`-style aliases of
// package.json "imports" resolve to the libraries' TypeScript sources (condition "types").

/** A package by name, as resolved (node_modules/<name>/...) or left unresolved (<name>). */
const pkg = (names) => `(^|/)node_modules/(${names})/|^(${names})($|/)`;
/** Frameworks and I/O clients: none of them belongs in pure domain logic. */
const FRAMEWORKS = pkg('@nestjs/[^/]+|typeorm|bullmq|ioredis|pg|pino|fastify|express|class-validator|class-transformer|zod|rxjs|reflect-metadata');
const TYPEORM = pkg('typeorm|@nestjs/typeorm');
const PERSISTENCE = `^libs/persistence/|${TYPEORM}`;
/** What a path into libs/persistence reaches: its entry point (#persistence) or TypeORM, which all its entities import. */
const PERSISTENCE_REACHED = `^libs/persistence/src/index\\.ts$|${TYPEORM}`;
/** Node's modules that do I/O (files, network, processes): the domain computes, it does not talk. */
const NODE_IO = '^(node:)?(fs|fs/promises|net|http|https|http2|dgram|dns|dns/promises|tls|child_process|cluster|worker_threads|inspector)$';
/** Unit specs beside the code may use test-only packages (fast-check, standardwebhooks). */
const SPEC = '\\.spec\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'apps-not-to-other-apps',
      comment: 'Apps never import each other: they talk over queues and Redis, through libs/contracts.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'libs-not-to-apps',
      comment: 'A library serves the apps; it never reaches back into one.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'domain-not-to-project',
      comment: 'libs/domain imports nothing of the project: no other lib, no app, no script or test.',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { path: '^(apps|libs|scripts|bench|test)/', pathNot: '^libs/domain/' },
    },
    {
      name: 'domain-not-to-frameworks',
      comment: 'libs/domain is pure logic: no framework, ORM, queue, Redis, PostgreSQL, HTTP or schema library (zod lives in libs/contracts and libs/config).',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { path: FRAMEWORKS },
    },
    {
      name: 'domain-no-packages',
      comment: 'Besides Node, libs/domain code depends on no package at all; only its unit specs use test libraries.',
      severity: 'error',
      from: { path: '^libs/domain/', pathNot: SPEC },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled', 'npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'domain-no-io',
      comment: 'libs/domain does no I/O: no files, sockets, HTTP, DNS or child processes (node:crypto and the like are fine).',
      severity: 'error',
      from: { path: '^libs/domain/', pathNot: SPEC },
      to: { dependencyTypes: ['core'], path: NODE_IO },
    },
    {
      name: 'serving-apps-not-to-persistence',
      comment: 'The gateway and the eval worker never import libs/persistence nor TypeORM: the gateway reads with plain pg, the worker writes back through eval.results.',
      severity: 'error',
      from: { path: '^apps/(gateway|eval-worker)/src/' },
      to: { path: PERSISTENCE },
    },
    {
      name: 'serving-apps-graph-without-persistence',
      comment: 'Nor through another module: nothing the gateway or the worker reaches leads to libs/persistence or TypeORM.',
      severity: 'error',
      from: { path: '^apps/(gateway|eval-worker)/src/' },
      to: { path: PERSISTENCE_REACHED, reachable: true },
    },
    {
      name: 'gateway-graph-without-class-validator',
      comment: 'The gateway (the serve hot path) has no class-validator or class-transformer anywhere in its graph.',
      severity: 'error',
      from: { path: '^apps/gateway/src/' },
      to: { path: pkg('class-validator|class-transformer'), reachable: true },
    },
    {
      name: 'persistence-owns-typeorm',
      comment: 'Of the libraries, only libs/persistence imports TypeORM (a spec may build a TypeORM error to test its logging).',
      severity: 'error',
      from: { path: '^libs/', pathNot: ['^libs/persistence/', SPEC] },
      to: { path: TYPEORM },
    },
    {
      name: 'sdk-stands-alone',
      comment: 'libs/sdk is published on its own: it imports only its own files (no project module, no package, no Node module).',
      severity: 'error',
      from: { path: '^libs/sdk/', pathNot: SPEC },
      to: { pathNot: '^libs/sdk/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles: a cycle makes load order matter and hides which module depends on which.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves, aliases included: an alias the cruiser could not follow would make the rules above blind.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'not-to-undeclared-package',
      comment: 'A package the code imports is declared in its package.json (@jest/globals, where ESM tests get `jest` from, ships with jest).',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'], pathNot: '^node_modules/@jest/globals/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Build output only: packages stay in the graph (not followed) so the rules can name them.
    exclude: { path: '(^|/)dist/|^coverage/' },
    // Type-only imports count: the layout is about what a module knows, not only what it loads.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['types', 'import', 'node', 'default'],
      mainFields: ['types', 'typings', 'module', 'main'],
      extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    cache: { folder: 'node_modules/.cache/dependency-cruiser', strategy: 'content' },
    progress: { type: 'none' },
  },
};
