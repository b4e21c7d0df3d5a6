import { ConfigError, listenHost, loadGatewayConfig, loadWorkerConfig } from './env.js';

describe('where the services listen', () => {
  it('is 127.0.0.1 in development and 0.0.0.0 elsewhere, unless a host variable says', () => {
    expect(listenHost({ APP_ENV: 'development' }, undefined)).toBe('127.0.0.1');
    expect(listenHost({ APP_ENV: 'production' }, undefined)).toBe('0.0.0.0');
    expect(listenHost({ APP_ENV: 'test' }, undefined)).toBe('0.0.0.0');
    expect(listenHost({ APP_ENV: 'development' }, '0.0.0.0')).toBe('0.0.0.0');
    expect(listenHost({ APP_ENV: 'production' }, '::1')).toBe('::1');
  });

  it('reads GATEWAY_HOST and WORKER_HEALTH_HOST, and refuses a value that is no address', () => {
    expect(loadGatewayConfig({ GATEWAY_HOST: '0.0.0.0' }).GATEWAY_HOST).toBe('0.0.0.0');
    expect(loadGatewayConfig({}).GATEWAY_HOST).toBeUndefined();
    expect(() => loadGatewayConfig({ GATEWAY_HOST: 'http://x' })).toThrow(ConfigError);
    expect(() => loadWorkerConfig({ ENCRYPTION_KEY: 'a'.repeat(64), WORKER_HEALTH_HOST: 'a b' })).toThrow(/WORKER_HEALTH_HOST/);
  });
});
