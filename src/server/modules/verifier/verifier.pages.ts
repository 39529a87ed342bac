import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Translate } from '../../../web/i18n.ts';
import { type VerifierField, type VerifierPageData, verifierPage } from '../../../web/pages/verifier.ts';
import { AppError } from '../../errors.ts';
import { pageContext, sendPage } from '../../plugins/web.ts';
import type { MultipartBody } from '../accounts/multipart.ts';
import {
  addVerifierBodyParsers,
  INTERNAL_FETCH_HEADER,
  inProcessFetchers,
  VERIFY_BODY_LIMIT,
  type VerifierPluginOptions,
  verifyRateLimit,
} from './verifier.routes.ts';
import { VerifyPageQuery } from './verifier.schemas.ts';
import { type VerifierInput, type VerifierResult, verifyInput } from './verifier.service.ts';

const verifierErrorCodes = new Set(['VERIFY_INPUT_INVALID', 'VERIFY_FETCH_REFUSED', 'VERIFY_INPUT_TOO_LARGE']);

/** The field an error belongs beside, and what to say there in the page's language. */
function fieldError(t: Translate, error: AppError, fallback: VerifierField): { field: VerifierField; message: string } {
  const detail = error.details[0] ?? { problem: error.message };
  const named = (detail.field ?? '').replace(/^\//, '');
  const field: VerifierField = named === 'credential' || named === 'file' || named === 'url' ? named : fallback;
  const reason = typeof detail.reason === 'string' ? detail.reason : '';
  const key =
    error.code === 'VERIFY_INPUT_TOO_LARGE'
      ? 'verifier:errors.tooLarge'
      : error.code === 'VERIFY_FETCH_REFUSED'
        ? `verifier:errors.fetch.${reason}`
        : `verifier:errors.input.${reason}`;
  const message = t(key, {
    status: typeof detail.status === 'number' ? String(detail.status) : '',
    defaultValue: detail.problem,
  });
  return { field, message };
}

/** The public verifier page at /verify: paste, upload or give a URL (`?url=` runs at once, so results can be linked). */
export async function verifierPages(instance: FastifyInstance, options: VerifierPluginOptions = {}): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  addVerifierBodyParsers(app);
  const fetchers = inProcessFetchers(app);

  async function respond(
    request: FastifyRequest,
    reply: FastifyReply,
    input: VerifierInput | { error: AppError; field: VerifierField } | undefined,
    values: VerifierPageData['values'],
    field: VerifierField,
  ) {
    const context = pageContext(request, reply);
    let result: VerifierResult | undefined;
    let failure = input && 'error' in input ? input.error : undefined;
    if (input && !('error' in input)) {
      try {
        result = await verifyInput(app.config, input, {
          ...fetchers,
          fetchRemote: options.fetchRemote,
          language: context.language,
        });
      } catch (error) {
        if (!(error instanceof AppError) || !verifierErrorCodes.has(error.code)) throw error;
        failure = error;
      }
    }
    const errors: VerifierPageData['errors'] = {};
    if (failure) {
      const { field: at, message } = fieldError(context.t, failure, field);
      errors[at] = message;
    }
    return sendPage(reply, verifierPage(context, { values, errors, result }), failure ? 400 : 200);
  }

  app.get(
    '/verify',
    {
      config: {
        access: 'public',
        // Only a run (`?url=`) counts against the limit, not opening the form.
        rateLimit: {
          ...verifyRateLimit,
          allowList: (request: FastifyRequest) => !(request.query as { url?: string } | undefined)?.url,
        },
      },
      schema: { hide: true, querystring: VerifyPageQuery },
    },
    async (request, reply) => {
      const url = request.query.url?.trim() ?? '';
      // The verifier's own in-process fetches never run a verification (a credential could point back here).
      const run = url !== '' && request.headers[INTERNAL_FETCH_HEADER] === undefined;
      return respond(request, reply, run ? { type: 'url', url } : undefined, { credential: '', url }, 'url');
    },
  );

  app.post(
    '/verify',
    {
      config: { access: 'public', rateLimit: verifyRateLimit },
      bodyLimit: VERIFY_BODY_LIMIT,
      schema: { hide: true },
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as MultipartBody;
      const multipart = (request.headers['content-type'] ?? '').startsWith('multipart/form-data');
      const credential = typeof body.credential === 'string' ? body.credential : '';
      const url = typeof body.url === 'string' ? body.url : '';
      const values = { credential, url };
      const file = body.file;
      if (file && typeof file === 'object' && file.bytes.length > 0)
        return respond(request, reply, { type: 'file', bytes: file.bytes, fileName: file.fileName }, values, 'file');
      if (credential.trim() !== '')
        return respond(request, reply, { type: 'text', text: credential }, values, 'credential');
      if (url.trim() !== '') return respond(request, reply, { type: 'url', url }, values, 'url');
      const field: VerifierField = multipart ? 'file' : 'credential';
      const error = new AppError('VERIFY_INPUT_INVALID', undefined, [
        {
          field: `/${field}`,
          problem: multipart ? 'Choose a badge file to upload.' : 'Paste the credential to verify.',
          reason: multipart ? 'noFile' : 'empty',
        },
      ]);
      return respond(request, reply, { error, field }, values, field);
    },
  );
}
