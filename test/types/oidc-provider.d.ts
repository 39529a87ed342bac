// oidc-provider ships no type declarations; the tests use only this much of it (a real provider on loopback).
declare module 'oidc-provider' {
  import type { RequestListener } from 'node:http';

  interface Account {
    accountId: string;
    claims(): Promise<Record<string, unknown>>;
  }

  interface ProviderConfiguration {
    clients?: Record<string, unknown>[];
    claims?: Record<string, string[]>;
    findAccount?: (context: unknown, id: string) => Promise<Account | undefined>;
    features?: Record<string, { enabled: boolean }>;
    conformIdTokenClaims?: boolean;
    cookies?: { keys: string[] };
    [option: string]: unknown;
  }

  export default class Provider {
    constructor(issuer: string, configuration?: ProviderConfiguration);
    callback(): RequestListener;
  }
}
