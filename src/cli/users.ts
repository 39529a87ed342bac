import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import type { MembershipRole } from '../server/db/schema.ts';
import { AppError } from '../server/errors.ts';
import { recordAudit } from '../server/modules/audit/audit.service.ts';
import { cliCaller, type RunAction } from './cities.ts';
import { withDatabase } from './commands.ts';
import { organisationForCli } from './organisations.ts';
import { readStdin, UsageError } from './output.ts';

export function registerUsersCommands(program: Command, run: RunAction): void {
  const users = program.command('users').description('List, create and invite people, and give them roles');

  users
    .command('list')
    .description('List accounts with their roles (optionally only those with a role or membership in one city)')
    .option('--city <slug>', 'only people with a role in this city or a membership of one of its organisations')
    .option('--json', 'print the result as JSON')
    .action(
      run(async (options: { city?: string }, out) => {
        const config = out.config();
        const { getCityForAdmin } = await import('../server/modules/cities/cities.admin.service.ts');
        const rows = await withDatabase(config, async (db) => {
          const city = options.city ? await getCityForAdmin(db, options.city) : null;
          return db.query<{
            id: string;
            email: string;
            displayName: string;
            status: string;
            verified: boolean;
            roles: string[];
            memberships: string[];
          }>(
            `SELECT u.id, u.email, u.display_name AS "displayName", u.status, u.email_verified_at IS NOT NULL AS verified,
               coalesce((SELECT array_agg(r.role || coalesce('@' || c.slug, '') ORDER BY r.role) FROM role_assignments r
                         LEFT JOIN cities c ON c.id = r.city_id WHERE r.user_id = u.id), '{}') AS roles,
               coalesce((SELECT array_agg(m.role || '@' || o.slug ORDER BY o.slug) FROM memberships m
                         JOIN organisations o ON o.id = m.organisation_id WHERE m.user_id = u.id), '{}') AS memberships
             FROM users u
             WHERE u.status <> 'deleted' AND ($1::uuid IS NULL
               OR EXISTS (SELECT 1 FROM role_assignments r WHERE r.user_id = u.id AND r.city_id = $1)
               OR EXISTS (SELECT 1 FROM memberships m JOIN organisation_cities oc ON oc.organisation_id = m.organisation_id
                          WHERE m.user_id = u.id AND oc.city_id = $1))
             ORDER BY lower(u.email)`,
            [city?.id ?? null],
          );
        });
        out.result({ items: rows }, () =>
          rows.length === 0
            ? 'Nobody yet.'
            : rows
                .map(
                  (u) =>
                    `${u.email.padEnd(40)} ${u.displayName.padEnd(28)} ${[...u.roles, ...u.memberships].join(' ') || 'learner'}`,
                )
                .join('\n'),
        );
      }),
    );

  users
    .command('create')
    .description('Create a verified account; prints a generated password unless --password-stdin is given')
    .requiredOption('--email <email>', 'email address')
    .requiredOption('--name <name>', 'display name')
    .option('--password-stdin', 'read the password from standard input instead of generating one')
    .option('--json', 'print the result as JSON')
    .action(
      run(async (options: { email: string; name: string; passwordStdin?: boolean }, out) => {
        const password = options.passwordStdin ? await readStdin(out.io) : randomBytes(18).toString('base64url');
        const config = out.config();
        const { createUser } = await import('../server/modules/accounts/accounts.service.ts');
        const user = await withDatabase(config, (db) =>
          db.transaction(async (tx) => {
            const created = await createUser(tx, {
              email: options.email,
              displayName: options.name,
              password,
              emailVerified: true,
            });
            await recordAudit(tx, cliCaller().audit, {
              cityId: null,
              action: 'user.create',
              targetType: 'user',
              targetId: created.id,
              after: { email: created.email, displayName: created.displayName },
            });
            return created;
          }),
        );
        out.result(
          {
            id: user.id,
            email: user.email,
            displayName: user.displayName,
            ...(options.passwordStdin ? {} : { password }),
          },
          () => `Created ${user.email}.${options.passwordStdin ? '' : `\nPassword (shown once): ${password}`}`,
        );
      }),
    );

  users
    .command('invite')
    .description('Invite someone by email to an organisation of a city (the link expires and works once)')
    .requiredOption('--email <email>', 'who to invite')
    .requiredOption('--city <slug>', 'the city')
    .requiredOption('--organisation <slug-or-id>', 'the organisation')
    .option('--role <role>', 'owner, admin or staff', 'staff')
    .option('--json', 'print the result as JSON')
    .action(
      run(async (options: { email: string; city: string; organisation: string; role: string }, out) => {
        const [{ membershipRoles }, { getCityForAdmin }, { inviteMember }] = await Promise.all([
          import('../server/db/schema.ts'),
          import('../server/modules/cities/cities.admin.service.ts'),
          import('../server/modules/organisations/organisations.service.ts'),
        ]);
        if (!(membershipRoles as readonly string[]).includes(options.role))
          throw new UsageError(`--role must be one of ${membershipRoles.join(', ')}.`);
        const config = out.config();
        const { invitation, url } = await withDatabase(config, async (db) => {
          const city = await getCityForAdmin(db, options.city);
          const organisation = await organisationForCli(db, city, options.organisation);
          return inviteMember(
            db,
            city,
            organisation.id,
            { email: options.email, role: options.role as MembershipRole },
            cliCaller(),
            config.publicUrl,
          );
        });
        out.result(
          { id: invitation.id, email: invitation.email, role: invitation.role, expiresAt: invitation.expiresAt, url },
          () =>
            `Invitation queued for ${invitation.email} (${invitation.role}); it expires ${new Date(invitation.expiresAt).toISOString()}.\nLink (shown once): ${url}`,
        );
      }),
    );

  users
    .command('set-role')
    .description(
      'Give (or with --remove, take away) a role: network_admin; city_curator or quality_assessor with --city; owner, admin or staff with --organisation and --city',
    )
    .requiredOption('--email <email>', 'the account')
    .requiredOption('--role <role>', 'network_admin, city_curator, quality_assessor, owner, admin or staff')
    .option('--city <slug>', 'the city (city roles and organisation roles)')
    .option('--organisation <slug-or-id>', 'the organisation (organisation roles)')
    .option('--remove', 'take the role away')
    .option('--json', 'print the result as JSON')
    .action(
      run(
        async (
          options: { email: string; role: string; city?: string; organisation?: string; remove?: boolean },
          out,
        ) => {
          const caller = cliCaller();
          const config = out.config();
          const [
            { membershipRoles },
            { findUserByEmail },
            { getCityForAdmin, setUserRole },
            { findMember, upsertMember },
            { changeMemberRole, organisationInCity, removeMember },
          ] = await Promise.all([
            import('../server/db/schema.ts'),
            import('../server/modules/accounts/accounts.repo.ts'),
            import('../server/modules/cities/cities.admin.service.ts'),
            import('../server/modules/organisations/organisations.repo.ts'),
            import('../server/modules/organisations/organisations.service.ts'),
          ]);
          const result = await withDatabase(config, async (db) => {
            const city = options.city ? await getCityForAdmin(db, options.city) : null;
            if (!(membershipRoles as readonly string[]).includes(options.role)) {
              if (options.organisation) throw new UsageError('Organisation roles are owner, admin and staff.');
              return setUserRole(
                db,
                { email: options.email, role: options.role, city, remove: options.remove },
                caller,
              );
            }
            if (!options.organisation || !city)
              throw new UsageError(`The role ${options.role} needs --organisation and --city.`);
            const organisation = await organisationForCli(db, city, options.organisation);
            await organisationInCity(db, city, organisation.id);
            const user = await findUserByEmail(db, options.email);
            if (!user) throw new AppError('USER_NOT_FOUND');
            const role = options.role as MembershipRole;
            const existing = await findMember(db, organisation.id, user.id);
            if (options.remove) {
              if (existing) await removeMember(db, city, organisation.id, user.id, caller);
            } else if (existing) {
              await changeMemberRole(db, city, organisation.id, user.id, role, caller);
            } else {
              await db.transaction(async (tx) => {
                await upsertMember(tx, organisation.id, user.id, role);
                await recordAudit(tx, caller.audit, {
                  cityId: city.id,
                  action: 'member.add',
                  targetType: 'membership',
                  targetId: `${organisation.id}:${user.id}`,
                  after: { role, email: user.email },
                });
              });
            }
            return {
              userId: user.id,
              email: user.email,
              role,
              citySlug: city.slug,
              organisation: organisation.slug,
              changed: options.remove ? Boolean(existing) : existing?.role !== role,
            };
          });
          out.result(
            result,
            () =>
              `${result.email}: ${options.remove ? 'no longer' : 'now'} ${result.role}${'organisation' in result ? ` of ${result.organisation}` : ''}${result.citySlug ? ` in ${result.citySlug}` : ''}${result.changed ? '' : ' (unchanged)'}.`,
          );
        },
      ),
    );
}
