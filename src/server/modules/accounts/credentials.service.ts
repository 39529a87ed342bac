import type { Database } from '../../db/client.ts';
import { AppError, type ErrorDetail } from '../../errors.ts';
import { consumeToken, issueToken } from './one-time-tokens.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { queuePeopleEmail } from './people-emails.ts';
import { checkEmail, checkPassword, normaliseEmail, passwordContext, problem } from './people-validation.ts';
import { findPersonByEmail, findPersonById, markEmailVerified, setEmail, setPasswordHash } from './people.repo.ts';
import { deleteUserSessions } from './sessions.repo.ts';
import { throwProblems, type MailContext } from './signup.service.ts';

/** Asks for a reset link. The answer is the same whether or not the address has an account. */
export async function requestPasswordReset(
  db: Database,
  email: string,
  mail: MailContext,
): Promise<{ status: 'check_email' }> {
  await db.transaction(async (tx) => {
    const person = await findPersonByEmail(tx, normaliseEmail(email));
    if (!person) return;
    const token = await issueToken(tx, { purpose: 'reset_password', userId: person.id, email: person.email });
    await queuePeopleEmail(tx, person.homeCityId, {
      kind: 'passwordReset',
      to: person.email,
      language: mail.language,
      vars: { name: person.displayName },
      url: `${mail.publicUrl}/reset-password?token=${token}`,
    });
  });
  return { status: 'check_email' };
}

/**
 * Sets a new password from a reset link and ends every session (whoever had the old password is signed out). The
 * link also proves the address, so an unverified account becomes verified. A rejected password keeps the link usable.
 */
export async function resetPassword(db: Database, token: string, password: string): Promise<{ endedSessions: number }> {
  const passwordHashPromise = hashPassword(password);
  return db.transaction(async (tx) => {
    const link = await consumeToken(tx, 'reset_password', token);
    const person = link.userId ? await findPersonById(tx, link.userId) : undefined;
    if (!person || (link.email && link.email.toLowerCase() !== person.email.toLowerCase())) {
      throw new AppError('TOKEN_INVALID');
    }
    const problems: ErrorDetail[] = [];
    checkPassword('password', password, passwordContext(person.email, person.displayName), problems);
    throwProblems(problems);
    await setPasswordHash(tx, person.id, await passwordHashPromise);
    await markEmailVerified(tx, person.id);
    const endedSessions = await deleteUserSessions(tx, person.id);
    return { endedSessions };
  });
}

/** Changes the password of the signed-in person, ends their other sessions and tells them by email. */
export async function changePassword(
  db: Database,
  actor: { userId: string; sessionId: string },
  input: { currentPassword: string; newPassword: string },
  mail: MailContext,
): Promise<{ endedSessions: number }> {
  const person = await findPersonById(db, actor.userId);
  if (!person) throw new AppError('UNAUTHENTICATED');
  // A person who only signs in through single sign-on has no password yet and may set one.
  if (person.passwordHash && !(await verifyPassword(person.passwordHash, input.currentPassword))) {
    throw new AppError('PASSWORD_INCORRECT', undefined, [
      problem('currentPassword', 'currentPassword', 'Your current password is not right.', 'PASSWORD_INCORRECT'),
    ]);
  }
  const problems: ErrorDetail[] = [];
  checkPassword('newPassword', input.newPassword, passwordContext(person.email, person.displayName), problems);
  throwProblems(problems);
  const passwordHash = await hashPassword(input.newPassword);
  return db.transaction(async (tx) => {
    await setPasswordHash(tx, person.id, passwordHash);
    const endedSessions = await deleteUserSessions(tx, person.id, actor.sessionId);
    await queuePeopleEmail(tx, person.homeCityId, {
      kind: 'passwordChanged',
      to: person.email,
      language: mail.language,
      vars: { name: person.displayName },
    });
    return { endedSessions };
  });
}

/**
 * Starts a change of email address: the new address gets a confirmation link, the old one a notice. When the new
 * address already has an account, its owner is told instead — the answer to the caller is the same.
 */
export async function requestEmailChange(
  db: Database,
  userId: string,
  input: { newEmail: string; password: string },
  mail: MailContext,
): Promise<{ status: 'check_email' }> {
  const person = await findPersonById(db, userId);
  if (!person) throw new AppError('UNAUTHENTICATED');
  const newEmail = normaliseEmail(input.newEmail);
  const problems: ErrorDetail[] = [];
  checkEmail('newEmail', newEmail, problems);
  if (newEmail.toLowerCase() === person.email.toLowerCase()) {
    problems.push(problem('newEmail', 'sameEmail', 'This is already your address.'));
  }
  throwProblems(problems);
  if (person.passwordHash && !(await verifyPassword(person.passwordHash, input.password))) {
    throw new AppError('PASSWORD_INCORRECT', undefined, [
      problem('password', 'currentPassword', 'Your current password is not right.', 'PASSWORD_INCORRECT'),
    ]);
  }
  await db.transaction(async (tx) => {
    const owner = await findPersonByEmail(tx, newEmail);
    if (owner) {
      await queuePeopleEmail(tx, owner.homeCityId, {
        kind: 'emailTaken',
        to: owner.email,
        language: mail.language,
        vars: { name: owner.displayName },
      });
      return;
    }
    const token = await issueToken(tx, { purpose: 'change_email', userId: person.id, email: newEmail });
    await queuePeopleEmail(tx, person.homeCityId, {
      kind: 'emailChangeConfirm',
      to: newEmail,
      language: mail.language,
      vars: { name: person.displayName, newEmail },
      url: `${mail.publicUrl}/account/email/confirm?token=${token}`,
    });
    await queuePeopleEmail(tx, person.homeCityId, {
      kind: 'emailChangeRequested',
      to: person.email,
      language: mail.language,
      vars: { name: person.displayName, newEmail },
    });
  });
  return { status: 'check_email' };
}

/** Confirms the new address from its link; the old address is told the change happened. */
export async function confirmEmailChange(db: Database, token: string, mail: MailContext): Promise<{ email: string }> {
  return db.transaction(async (tx) => {
    const link = await consumeToken(tx, 'change_email', token);
    const person = link.userId ? await findPersonById(tx, link.userId) : undefined;
    if (!person || !link.email) throw new AppError('TOKEN_INVALID');
    if (!(await setEmail(tx, person.id, link.email))) {
      throw new AppError('USER_EMAIL_TAKEN', undefined, [{ field: '/newEmail', problem: 'taken' }]);
    }
    await queuePeopleEmail(tx, person.homeCityId, {
      kind: 'emailChanged',
      to: person.email,
      language: mail.language,
      vars: { name: person.displayName, newEmail: link.email },
    });
    return { email: link.email };
  });
}
