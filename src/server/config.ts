import path from 'node:path';

/** Typed configuration read from environment variables. Every variable is documented in `.env.example`. */
export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  host: string;
  port: number;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolMax: number;
  databaseConnectTimeoutSeconds: number;
  smtpUrl: string | undefined;
  mailFrom: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  seedDemo: boolean;
  bodyLimitBytes: number;
  trustProxy: boolean;
  jobWorker: boolean;
  jobPollIntervalMs: number;
  /** Calendar feeds may point at private or loopback addresses (tests, intranets); off by default against SSRF. */
  allowPrivateFeedUrls: boolean;
  /** OpenID Connect single sign-on; undefined when OIDC_ISSUER is not set. */
  oidc: { issuer: string; clientId: string; clientSecret: string; name: string } | undefined;
  /** A MapLibre style URL (raster or vector tiles) for every map; undefined means the bundled offline style. */
  mapStyleUrl: string | undefined;
  /**
   * 32 bytes that encrypt issuers' secret keys at rest (CREDENTIAL_KEY_ENCRYPTION_KEY, base64). Required in
   * production; elsewhere, when unset, a random one is kept in DATA_DIR/secrets (see issuer-keys.service.ts).
   */
  credentialKeyEncryptionKey: Uint8Array | undefined;
  /** Private or loopback hosts the badge verifier may fetch from anyway (tests, intranets); empty by default. */
  verifierAllowedPrivateHosts: string[];
}

/** A configuration problem; the message names the variable so the operator can fix it. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function readString(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function readInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = readString(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = readString(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function readChoice<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const raw = readString(env, name);
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${choices.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function readUrl(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const raw = readString(env, name);
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be an absolute URL');
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return raw;
}

/** Single sign-on needs the issuer, client id and secret together; a half-configured provider is an error. */
function readOidc(env: Env): Config['oidc'] {
  const issuer = readUrl(env, 'OIDC_ISSUER', ['http:', 'https:']);
  const clientId = readString(env, 'OIDC_CLIENT_ID');
  const clientSecret = readString(env, 'OIDC_CLIENT_SECRET');
  if (!issuer) {
    if (clientId || clientSecret) throw new ConfigError('OIDC_ISSUER', 'is required when OIDC_CLIENT_ID is set');
    return undefined;
  }
  if (!clientId) throw new ConfigError('OIDC_CLIENT_ID', 'is required when OIDC_ISSUER is set');
  if (!clientSecret) throw new ConfigError('OIDC_CLIENT_SECRET', 'is required when OIDC_ISSUER is set');
  const name = readString(env, 'OIDC_PROVIDER_NAME') ?? new URL(issuer).hostname;
  return { issuer: issuer.replace(/\/+$/, ''), clientId, clientSecret, name };
}

function readKeyEncryptionKey(env: Env, nodeEnv: Config['nodeEnv']): Uint8Array | undefined {
  const value = readString(env, 'CREDENTIAL_KEY_ENCRYPTION_KEY');
  if (value === undefined) {
    // Secret keys encrypted with a key kept beside the data would protect nothing in production.
    if (nodeEnv === 'production')
      throw new ConfigError('CREDENTIAL_KEY_ENCRYPTION_KEY', 'is required when NODE_ENV=production');
    return undefined;
  }
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length !== 32 || bytes.toString('base64').replace(/=+$/, '') !== value.replace(/=+$/, '')) {
    throw new ConfigError('CREDENTIAL_KEY_ENCRYPTION_KEY', 'must be 32 bytes in base64 (openssl rand -base64 32)');
  }
  return new Uint8Array(bytes);
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = readChoice(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const port = readInteger(env, 'PORT', 3000, 0, 65535);
  const publicUrl = (readUrl(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const smtpUrl = readUrl(env, 'SMTP_URL', ['smtp:', 'smtps:']);
  // Without SMTP_URL, mail goes to the in-process development inbox — never acceptable in production.
  if (nodeEnv === 'production' && !smtpUrl) throw new ConfigError('SMTP_URL', 'is required when NODE_ENV=production');
  return {
    nodeEnv,
    host: readString(env, 'HOST') ?? '127.0.0.1',
    port,
    publicUrl,
    dataDir: path.resolve(readString(env, 'DATA_DIR') ?? './data'),
    databaseUrl: readUrl(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    databasePoolMax: readInteger(env, 'DATABASE_POOL_MAX', 10, 1, 500),
    databaseConnectTimeoutSeconds: readInteger(env, 'DATABASE_CONNECT_TIMEOUT_SECONDS', 30, 0, 3600),
    smtpUrl,
    mailFrom: readString(env, 'MAIL_FROM') ?? `Learnscape <no-reply@${new URL(publicUrl).hostname}>`,
    logLevel: readChoice(
      env,
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      nodeEnv === 'test' ? 'silent' : 'info',
    ),
    // A production database must never be filled with demo people by accident.
    seedDemo: readBoolean(env, 'SEED_DEMO', nodeEnv !== 'production'),
    bodyLimitBytes: readInteger(env, 'BODY_LIMIT_BYTES', 1_048_576, 1024, 1_073_741_824),
    trustProxy: readBoolean(env, 'TRUST_PROXY', false),
    jobWorker: readBoolean(env, 'JOB_WORKER', true),
    jobPollIntervalMs: readInteger(env, 'JOB_POLL_INTERVAL_MS', 1000, 10, 600_000),
    allowPrivateFeedUrls: readBoolean(env, 'ALLOW_PRIVATE_FEED_URLS', false),
    oidc: readOidc(env),
    mapStyleUrl: readUrl(env, 'MAP_STYLE_URL', ['http:', 'https:']),
    credentialKeyEncryptionKey: readKeyEncryptionKey(env, nodeEnv),
    verifierAllowedPrivateHosts: (readString(env, 'VERIFIER_ALLOWED_PRIVATE_HOSTS') ?? '')
      .split(',')
      .map((host) => host.trim().toLowerCase())
      .filter((host) => host !== ''),
  };
}
