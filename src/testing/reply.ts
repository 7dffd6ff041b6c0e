/**
 * The answer an app gave to one request of the test kit, with assertion helpers that throw
 * `node:assert` `AssertionError`s (so they work in jest, node:test, mocha or vitest alike).
 *
 * @module
 */
import { AssertionError } from 'node:assert';
import type { WebhookReply } from '../core/types';
import type { XmlElement } from '../core/xml';
import { formatXml, parseXml, xmlTreesEqual } from './xml';

/**
 * How the app answered: `handled` (by a handler, or the neutral answer), `fallback` (a handler
 * failed or missed its deadline), `duplicate` (a repeated delivery got the stored reply),
 * `refused` (a coded 4xx: authentication, method, content type, fields).
 */
export type ReplyOutcome = 'handled' | 'fallback' | 'duplicate' | 'refused';

/**
 * One request as the test kit hands it to the app: provider-neutral, built by the provider's
 * request generators (`placetelRequest`, `ozekiNotification`, the `…CallScenario` functions).
 */
export interface TestRequest {
  /** The provider's event name, e.g. `'IncomingCall'`, `'call_state:hangup'`. */
  readonly event: string;
  /** Upper-case HTTP method, `'GET'` or `'POST'`. */
  readonly method: string;
  /** Request headers (lower-case names), e.g. `content-type`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact body (`''` for a GET). */
  readonly body: string;
  /** Path relative to where the app is mounted, e.g. `'/hangup'`. Default `'/'`. */
  readonly path?: string;
  /** The encoded query string without `?`. Default `''`. */
  readonly query?: string;
}

/**
 * What the kit knows of a provider's answers: how to tell one and how to render it for the
 * event answered (Ozeki renders by the event's OzML control context).
 */
export interface AnswerRenderer {
  /** Provider id, e.g. `'placetel'`. */
  readonly provider: string;
  /** Whether `value` was built with this provider's builders. */
  isAnswer(value: unknown): boolean;
  /**
   * The XML the app sends for `answer` (`undefined`: the neutral answer) to `event`.
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for an answer that does not fit the event
   */
  render(answer: unknown, event: string): string;
}

function fail(message: string, actual: unknown, expected: unknown, operator: string): never {
  throw new AssertionError({ message, actual, expected, operator });
}

/**
 * The reply to one request: status, headers, outcome, the XML text and its parsed tree, and
 * assertions. Every `expect…` method returns the reply, so they chain:
 * `reply.expectStatus(200).expectAnswer(placetel.forward(…))`.
 */
export class TestReply {
  /** HTTP status code. */
  readonly status: number;
  /** Response headers, lower-case names (`content-type`, `content-length`, …). */
  readonly headers: Readonly<Record<string, string>>;
  /** How the app answered, see {@link ReplyOutcome}. */
  readonly outcome: ReplyOutcome;
  /** The body as text (UTF-8). */
  readonly text: string;
  /** The request that got this reply. */
  readonly request: TestRequest;
  /** The reply as the app produced it (the body as bytes). */
  readonly raw: WebhookReply;
  readonly #renderer: AnswerRenderer;
  #xml: XmlElement | undefined;

  /** Made by the test client; not meant to be constructed in tests. */
  constructor(request: TestRequest, reply: WebhookReply, renderer: AnswerRenderer) {
    this.request = request;
    this.raw = reply;
    this.status = reply.status;
    this.headers = reply.headers;
    this.text = reply.text ?? reply.body.toString('utf8');
    this.outcome = reply.outcome ?? (reply.status < 400 ? 'handled' : 'refused');
    this.#renderer = renderer;
  }

  /** The provider's event name of the request, e.g. `'IncomingCall'`. */
  get event(): string {
    return this.request.event;
  }

  /** Whether the status is 2xx. */
  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  /**
   * The body parsed into its canonical element tree (see {@link parseXml}).
   * @throws {AssertionError} when the body is not well-formed XML
   */
  get xml(): XmlElement {
    if (this.#xml === undefined) {
      try {
        this.#xml = parseXml(this.text);
      } catch (error) {
        fail(
          `${this.#where()}: the reply is not XML (${(error as Error).message}):\n${this.text}`,
          this.text,
          'an XML document',
          'xml',
        );
      }
    }
    return this.#xml;
  }

  /** The `code` of an `<Error code="CC_ERR_…">` reply (a refused request); else `undefined`. */
  get errorCode(): string | undefined {
    if (this.status < 400) return undefined;
    try {
      const root = parseXml(this.text);
      return root.name === 'Error' ? root.attributes?.['code'] : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Asserts the HTTP status.
   * @throws {AssertionError} naming both statuses, with the body
   */
  expectStatus(status: number): this {
    if (this.status !== status) {
      fail(
        `${this.#where()}: expected status ${status}, got ${this.status}\n${this.text}`,
        this.status,
        status,
        'expectStatus',
      );
    }
    return this;
  }

  /**
   * Asserts how the app answered (`'handled'`, `'fallback'`, `'duplicate'`, `'refused'`).
   * @throws {AssertionError} naming both outcomes, with the status and body
   */
  expectOutcome(outcome: ReplyOutcome): this {
    if (this.outcome !== outcome) {
      fail(
        `${this.#where()}: expected outcome "${outcome}", got "${this.outcome}" (status ${this.status})\n${this.text}`,
        this.outcome,
        outcome,
        'expectOutcome',
      );
    }
    return this;
  }

  /**
   * Asserts a 2xx reply whose XML is the expected answer, compared canonically as XML (not as
   * text; see {@link parseXml}).
   *
   * @param expected - an answer built with the provider's builders (rendered for this request's
   *   event, as the app renders it), or an XML document as text
   * @throws {AssertionError} for a non-2xx reply, or an answer that differs: the message holds
   *   both documents, indented (`expected` and `actual` are set for diffs)
   * @throws {TypeError} when `expected` is neither text nor an answer of this provider
   */
  expectAnswer(expected: unknown): this {
    let expectedXml: string;
    if (typeof expected === 'string') expectedXml = expected;
    else if (this.#renderer.isAnswer(expected)) {
      expectedXml = this.#renderer.render(expected, this.event);
    } else {
      throw new TypeError(
        `expectAnswer: expected an XML string or an answer built with the ${this.#renderer.provider} builders`,
      );
    }
    return this.#compare(parseXml(expectedXml), 'expectAnswer');
  }

  /**
   * Asserts the neutral answer: a 2xx reply with what the app sends when a handler returns
   * nothing (e.g. `<Response/>`), as for notify-only events.
   * @throws {AssertionError} as {@link TestReply.expectAnswer}
   */
  expectNeutral(): this {
    return this.#compare(parseXml(this.#renderer.render(undefined, this.event)), 'expectNeutral');
  }

  /**
   * Asserts a refused request: a 4xx reply `<Error code="…">` with this code (e.g.
   * `'CC_ERR_SIGNATURE_INVALID'`, `'CC_ERR_AUTH_REQUIRED'`), and the status when given.
   * @throws {AssertionError} naming the expected and actual code and status, with the body
   */
  expectError(code: string, status?: number): this {
    if (status !== undefined) this.expectStatus(status);
    const actual = this.errorCode;
    if (actual !== code) {
      fail(
        `${this.#where()}: expected error ${code}, got ${actual ?? 'no error'} (status ${this.status})\n${this.text}`,
        actual,
        code,
        'expectError',
      );
    }
    return this;
  }

  #compare(expected: XmlElement, operator: string): this {
    if (!this.ok) {
      fail(
        `${this.#where()}: expected a 2xx answer, got status ${this.status}\n${this.text}`,
        this.status,
        200,
        operator,
      );
    }
    const actual = this.xml;
    if (!xmlTreesEqual(actual, expected)) {
      const want = formatXml(expected);
      const got = formatXml(actual);
      fail(
        `${this.#where()}: the answer differs from the expected one\n\nexpected:\n${want}\n\nactual:\n${got}\n`,
        got,
        want,
        operator,
      );
    }
    return this;
  }

  #where(): string {
    return `${this.#renderer.provider} ${this.event}`;
  }
}
