import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration from the environment', () => {
  it('has working defaults for the demo', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:3000',
      databaseUrl: undefined,
      seedDemo: true,
      logLevel: 'info',
    });
    expect(config.dataDir).toMatch(/\/data$/);
  });

  it('reads the usual variables', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      PUBLIC_URL: 'https://learn.example.org/',
      DATA_DIR: '/var/lib/learnscape',
      DATABASE_URL: 'postgres://app@db:5432/learnscape',
      SMTP_URL: 'smtp://mail:25',
      MAIL_FROM: 'Learn <learn@example.org>',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      CREDENTIAL_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      VERIFIER_ALLOWED_PRIVATE_HOSTS: 'LocalHost, 127.0.0.1',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      publicUrl: 'https://learn.example.org',
      dataDir: '/var/lib/learnscape',
      databaseUrl: 'postgres://app@db:5432/learnscape',
      smtpUrl: 'smtp://mail:25',
      mailFrom: 'Learn <learn@example.org>',
      logLevel: 'warn',
      // Production never seeds demo people unless asked to.
      seedDemo: false,
      credentialKeyEncryptionKey: new Uint8Array(32).fill(7),
      verifierAllowedPrivateHosts: ['localhost', '127.0.0.1'],
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PUBLIC_URL: 'learn.example.org' }, 'PUBLIC_URL'],
    [{ DATABASE_URL: 'mysql://db/x' }, 'DATABASE_URL'],
    [{ SMTP_URL: 'http://mail' }, 'SMTP_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ SEED_DEMO: 'maybe' }, 'SEED_DEMO'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ NODE_ENV: 'production' }, 'SMTP_URL'],
    [{ NODE_ENV: 'production', SMTP_URL: 'smtp://mail:25' }, 'CREDENTIAL_KEY_ENCRYPTION_KEY'],
    [{ CREDENTIAL_KEY_ENCRYPTION_KEY: 'c2hvcnQ=' }, 'CREDENTIAL_KEY_ENCRYPTION_KEY'],
  ])('names the variable that is wrong: %o', (env, variable) => {
    let caught: unknown;
    try {
      loadConfig(env);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).variable).toBe(variable);
    expect((caught as Error).message).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
    expect((caught as Error).message).not.toContain('\n');
  });
});
