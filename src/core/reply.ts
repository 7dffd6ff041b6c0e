/**
 * Replies: the XML reply of an answer or of a coded error, with callcontrol's headers.
 *
 * @module
 */
import { ERROR_CODES, type CallControlError, type ErrorCodeInfo } from './errors';
import type { WebhookReply } from './types';
import { renderXml, sanitizeXmlText } from './xml';

/** `Content-Type` of every answer callcontrol sends. */
export const XML_CONTENT_TYPE = 'application/xml; charset=utf-8';

/**
 * An XML reply: `xml` as its UTF-8 body with `status`, the given headers and callcontrol's
 * (`content-type` {@link XML_CONTENT_TYPE}, `content-length`, `cache-control: no-store`), and
 * the outcome and error code for logs (default outcome: `handled` below 400, else `refused`).
 */
export function xmlReply(
  status: number,
  xml: string,
  headers: Readonly<Record<string, string>> = {},
  outcome: WebhookReply['outcome'] = status < 400 ? 'handled' : 'refused',
  code?: string,
): WebhookReply {
  const body = Buffer.from(xml, 'utf8');
  return {
    ...(code === undefined ? {} : { code }),
    status,
    headers: {
      ...headers,
      'content-type': XML_CONTENT_TYPE,
      'content-length': String(body.length),
      'cache-control': 'no-store',
    },
    body,
    text: xml,
    outcome,
  };
}

/**
 * The reply for a coded error: its status and headers, and `<Error code="…">message</Error>`
 * (the message only when `expose`; otherwise a generic one).
 */
export function errorReply(error: CallControlError): WebhookReply {
  const message = error.expose ? sanitizeXmlText(error.message) : 'Internal error';
  const xml = renderXml({ name: 'Error', attributes: { code: error.code }, children: [message] });
  const headers: Record<string, string> = { ...error.headers };
  // After a 413 or an aborted body the rest of the request may still be in flight: the
  // registry says which codes close the connection.
  if ((ERROR_CODES[error.code] as ErrorCodeInfo | undefined)?.closesConnection === true)
    headers['connection'] = 'close';
  return xmlReply(error.status, xml, headers, undefined, error.code);
}
