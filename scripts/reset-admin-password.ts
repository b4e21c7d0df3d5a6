import { ConfigError, loadRegistryConfig, prepareEnvironment } from '#config';
import { createDataSource } from '#persistence';
import { resetDevAdminPassword } from '../apps/registry/src/seed/reset-dev-admin-password.js';
import { describeError } from './console-lines.js';
import { InfrastructureError } from './infrastructure.js';

/** `npm run admin:reset-password`: a new password for DEV_ADMIN_EMAIL, in development only, for when the one `npm start` showed is lost. */
async function reset(): Promise<void> {
  if ((process.env.APP_ENV || 'development') !== 'development') {
    throw new InfrastructureError(
      `[admin:reset-password] refused: APP_ENV=${process.env.APP_ENV}; this resets the development admin only (APP_ENV=development). ` +
        'In production, an administrator changes passwords through the API.',
    );
  }
  prepareEnvironment();
  const config = loadRegistryConfig();
  const dataSource = createDataSource({ url: config.DATABASE_URL, poolSize: 1, applicationName: 'promptgate-reset-password' });
  try {
    await dataSource.initialize();
  } catch (err) {
    throw new InfrastructureError(`[admin:reset-password] cannot reach the database (${describeError(err)}); run npm start once first`);
  }
  try {
    const result = await resetDevAdminPassword(dataSource, config.DEV_ADMIN_EMAIL, config.PASSWORD_SCRYPT_N);
    if (!result.reset) {
      throw new InfrastructureError(`[admin:reset-password] no account for ${result.email} (DEV_ADMIN_EMAIL); npm start creates it`);
    }
    console.log(`[admin:reset-password] dev admin: ${result.email}`);
    console.log(`[admin:reset-password] new password: ${result.password}   (shown this once; it is stored only as a hash)`);
  } finally {
    await dataSource.destroy();
  }
}

reset().then(
  () => process.exit(0),
  (err: unknown) => {
    const known = err instanceof InfrastructureError || err instanceof ConfigError;
    console.error(known ? (err as Error).message : `[admin:reset-password] failed: ${describeError(err)}`);
    process.exit(1);
  },
);
