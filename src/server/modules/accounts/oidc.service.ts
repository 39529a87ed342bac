import * as oidc from 'openid-client';
import type { Config } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import { AppError } from '../../errors.ts';
import {
  findPersonByEmail,
  findPersonById,
  findIdentity,
  insertPerson,
  linkIdentity,
  markEmailVerified,
} from './people.repo.ts';

type OidcSettings = NonNullable<Config['oidc']>;

/** What the browser keeps (in a short-lived HttpOnly cookie) between leaving for the provider and coming back. */
export interface OidcAttempt {
  state: string;
  nonce: string;
  codeVerifier: string;
  next: string;
  citySlug: string | null;
}

/** Discovers the provider once per process (retrying after a failure) and reuses its configuration. */
export class OidcClient {
  private configuration: Promise<oidc.Configuration> | undefined;

  constructor(
    readonly settings: OidcSettings,
    private readonly publicUrl: string,
  ) {}

  get redirectUri(): string {
    return `${this.publicUrl}/auth/oidc/callback`;
  }

  private discover(): Promise<oidc.Configuration> {
    this.configuration ??= oidc
      .discovery(new URL(this.settings.issuer), this.settings.clientId, this.settings.clientSecret, undefined, {
        // Plain http is accepted only for a provider on this machine (development and tests).
        execute: /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(this.settings.issuer)
          ? [oidc.allowInsecureRequests]
          : [],
      })
      .catch((error) => {
        this.configuration = undefined;
        throw error;
      });
    return this.configuration;
  }

  /** The provider URL to send the browser to (authorization code flow with PKCE, state and nonce). */
  async start(next: string, citySlug: string | null): Promise<{ url: string; attempt: OidcAttempt }> {
    const configuration = await this.discover().catch(() => {
      throw new AppError('SSO_FAILED', 'The sign-in provider cannot be reached right now.');
    });
    const attempt: OidcAttempt = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
      next,
      citySlug,
    };
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(attempt.codeVerifier),
      code_challenge_method: 'S256',
      state: attempt.state,
      nonce: attempt.nonce,
    });
    return { url: url.href, attempt };
  }

  /** Exchanges the code from the callback for verified identity claims. */
  async finish(callbackQuery: string, attempt: OidcAttempt): Promise<OidcClaims> {
    const configuration = await this.discover();
    try {
      const tokens = await oidc.authorizationCodeGrant(configuration, new URL(`${this.redirectUri}?${callbackQuery}`), {
        pkceCodeVerifier: attempt.codeVerifier,
        expectedState: attempt.state,
        expectedNonce: attempt.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims();
      if (!idClaims) throw new Error('no ID token');
      let claims: Record<string, unknown> = { ...idClaims };
      if (typeof claims.email !== 'string') {
        claims = { ...claims, ...(await oidc.fetchUserInfo(configuration, tokens.access_token, idClaims.sub)) };
      }
      return {
        subject: idClaims.sub,
        email: typeof claims.email === 'string' ? claims.email : null,
        emailVerified: claims.email_verified === true,
        name:
          [claims.name, claims.preferred_username, claims.given_name].find((v): v is string => typeof v === 'string') ??
          null,
      };
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError('SSO_FAILED', undefined, [{ problem: (error as Error).message.slice(0, 200) }]);
    }
  }
}

export interface OidcClaims {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
}

/**
 * Finds or creates the person for a provider identity: a linked identity first, then an account with the same
 * address — only when the provider says the address is verified — and otherwise a new account. A new account has no
 * date of birth yet, so it starts `limited` until the person gives it (and, for a minor, a guardian consents).
 */
export async function personForIdentity(
  db: Database,
  provider: string,
  claims: OidcClaims,
  citySlug: string | null,
): Promise<{ userId: string; created: boolean }> {
  return db.transaction(async (tx) => {
    const identity = await findIdentity(tx, provider, claims.subject);
    if (identity) {
      if (!(await findPersonById(tx, identity.userId))) throw new AppError('SSO_FAILED', 'This account was deleted.');
      return { userId: identity.userId, created: false };
    }
    if (!claims.email || !claims.emailVerified) {
      throw new AppError(
        'SSO_FAILED',
        'The sign-in provider did not confirm your email address, so we cannot link it.',
      );
    }
    const existing = await findPersonByEmail(tx, claims.email);
    if (existing) {
      await linkIdentity(tx, provider, claims.subject, existing.id);
      await markEmailVerified(tx, existing.id);
      return { userId: existing.id, created: false };
    }
    const [city] = citySlug
      ? await tx.query<{ id: string }>(`SELECT id FROM cities WHERE slug = $1 AND status = 'active'`, [citySlug])
      : [];
    const person = await insertPerson(tx, {
      email: claims.email,
      displayName: (claims.name ?? claims.email.split('@')[0] ?? 'Learner').slice(0, 120),
      passwordHash: null,
      dateOfBirth: null,
      status: 'limited',
      homeCityId: city?.id ?? null,
      emailVerified: true,
    });
    if (!person) throw new AppError('SSO_FAILED');
    await linkIdentity(tx, provider, claims.subject, person.id);
    return { userId: person.id, created: true };
  });
}
