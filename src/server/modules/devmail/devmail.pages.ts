import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { devMailListPage, devMailMessagePage } from '../../../web/pages/dev-mail.ts';
import { AppError } from '../../errors.ts';
import type { DevInbox } from '../../mail/dev-inbox.ts';
import { pageContext, sendPage } from '../../plugins/web.ts';

/**
 * The development inbox pages. They exist only when no SMTP_URL is configured (demo and tests), where they are
 * public on purpose: a person trying the demo must read the verification email before they can sign in.
 */
export function devMailPages(inbox: DevInbox) {
  return async (instance: FastifyInstance): Promise<void> => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/dev/mail', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) =>
      sendPage(reply.header('cache-control', 'no-store'), devMailListPage(pageContext(request, reply), inbox.list())),
    );
    app.get(
      '/dev/mail/:messageId',
      {
        config: { access: 'public' },
        schema: { hide: true, params: Type.Object({ messageId: Type.String({ format: 'uuid' }) }) },
      },
      async (request, reply) => {
        const message = inbox.get(request.params.messageId);
        if (!message) throw new AppError('NOT_FOUND', 'This message is no longer in the inbox.');
        return sendPage(
          reply.header('cache-control', 'no-store'),
          devMailMessagePage(pageContext(request, reply), message),
        );
      },
    );
  };
}
