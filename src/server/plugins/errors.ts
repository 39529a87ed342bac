import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFoundPage, requestErrorPage, serverErrorPage } from '../../web/pages/errors.ts';
import { AppError, errorBody, errorCatalogue, type ErrorCode, type ErrorDetail } from '../errors.ts';
import { pageContext, sendPage, wantsHtml } from './web.ts';

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Turns Ajv's validation issues into `{field, problem}` details, with the field as a JSON pointer. */
export function validationDetails(issues: AjvIssue[], context: string | undefined): ErrorDetail[] {
  return issues.map((issue) => {
    const missing = issue.keyword === 'required' ? `/${String(issue.params.missingProperty)}` : '';
    const extra = issue.keyword === 'additionalProperties' ? `/${String(issue.params.additionalProperty)}` : '';
    return {
      field: `${issue.instancePath}${missing}${extra}` || '/',
      problem: issue.message ?? issue.keyword,
      location: context ?? 'body',
    };
  });
}

/** Maps Fastify's own errors to catalogue codes. */
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
};

function classify(error: FastifyError): { code: ErrorCode; message?: string; details: ErrorDetail[] } {
  if (error instanceof AppError) return { code: error.code, message: error.message, details: error.details };
  if (error.validation) {
    return {
      code: 'VALIDATION_FAILED',
      details: validationDetails(error.validation as AjvIssue[], error.validationContext),
    };
  }
  const mapped = error.code ? fastifyCodes[error.code] : undefined;
  if (mapped) return { code: mapped, details: [] };
  // Fastify's JSON parser raises a SyntaxError-based 400 for bodies that are not JSON.
  if (error.statusCode === 400 && (error instanceof SyntaxError || /JSON/i.test(error.message))) {
    return { code: 'MALFORMED_JSON', details: [] };
  }
  if (error.statusCode === 429) return { code: 'RATE_LIMITED', details: [] };
  if (error.statusCode === 413) return { code: 'PAYLOAD_TOO_LARGE', details: [] };
  if (error.statusCode === 415) return { code: 'UNSUPPORTED_MEDIA_TYPE', details: [] };
  if (error.statusCode === 405) return { code: 'METHOD_NOT_ALLOWED', details: [] };
  if (error.statusCode === 404) return { code: 'NOT_FOUND', details: [] };
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
    return { code: 'BAD_REQUEST', details: [] };
  return { code: 'INTERNAL', details: [] };
}

function notFoundResponse(request: FastifyRequest, reply: FastifyReply) {
  if (wantsHtml(request)) return sendPage(reply, notFoundPage(pageContext(request, reply)), 404);
  return reply.code(404).send(errorBody('NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}.`));
}

/** One error handler for the whole app: every error leaves as `{error:{code,message,details}}` or an HTML page. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { code, message, details } = classify(error);
    const body = errorBody(code, message, details);
    const status = errorCatalogue[code].status;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code, status }, 'request rejected');
    const headers = (error as { headers?: Record<string, string> }).headers;
    if (headers) reply.headers(headers);
    if (wantsHtml(request)) {
      if (status === 404) return notFoundResponse(request, reply);
      if (status >= 500) return sendPage(reply, serverErrorPage(pageContext(request, reply)), status);
      // A browser that must sign in is sent to the sign-in page and brought back afterwards.
      if (status === 401) {
        const next = request.method === 'GET' ? request.url : '/';
        return reply.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
      }
      return sendPage(reply, requestErrorPage(pageContext(request, reply), body.error.message), status);
    }
    // Internal details never reach the client; the request id lets an operator find them in the logs.
    return reply
      .code(status)
      .send(code === 'INTERNAL' ? errorBody(code, undefined, [{ problem: `request ${request.id}` }]) : body);
  });

  app.setNotFoundHandler({ preHandler: undefined }, notFoundResponse);
}
