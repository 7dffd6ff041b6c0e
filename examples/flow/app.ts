/**
 * The example server's `/flow/<provider>` mounts: the call-log flow (`./call-log-flow.ts`) on a
 * new app of every provider that can express it, each authenticated as the provider's own mount
 * (the same credential), and the call log they share (`GET /flow/calls`).
 */
import type { RequestHandler } from 'express';
import {
  opentact,
  ozeki,
  placetel,
  signalwire,
  sipgate,
  telnyx,
  twilio,
  voipnow,
  type CallStore,
  type DrainOptions,
  type DrainResult,
  type RecordOptions,
} from '../../src';
import { isFlowCountry, type FlowApp, type FlowCountry } from '../../src/flow';
import { CallLog, createCallLogFlow } from './call-log-flow';

/** One provider as the example server plans it: its credential and whether it is checked. */
export interface FlowDemoProvider {
  /** The provider id, e.g. `'placetel'` (its own mount is `/<name>`). */
  readonly name: string;
  /** The credential of its own mount (secret, token, key), if set. */
  readonly credential: string | undefined;
  /** Served without authentication (no credential, not in production). */
  readonly allowUnauthenticated: boolean;
  /** For providers signing the URL: the public URL of `/flow/<name>`. */
  readonly publicUrl?: string | undefined;
  /** Record every request of `/flow/<name>` and its answer to a file (the app option `record`). */
  readonly record?: RecordOptions | undefined;
}

/** A provider app the example mounts in Express. */
export interface FlowDemoApp extends FlowApp {
  express(): RequestHandler;
  drain(options?: DrainOptions): Promise<DrainResult>;
  close(options?: DrainOptions): Promise<DrainResult>;
  onAny(handler: () => Promise<void>): unknown;
}

type Factory = (
  provider: FlowDemoProvider,
  store: CallStore | undefined,
) => FlowDemoApp | undefined;

/** `{ urlToken }` for a token, else nothing. */
const token = (credential: string | undefined) =>
  credential === undefined ? {} : { urlToken: { tokens: credential } };
const url = (provider: FlowDemoProvider) =>
  provider.publicUrl === undefined ? {} : { publicUrl: provider.publicUrl };

/** How each provider's app is made with the credential of its own mount. */
const FACTORIES: Readonly<Record<string, Factory>> = {
  placetel: (p, store) =>
    placetel.createApp({
      secret: p.credential,
      allowUnauthenticated: p.allowUnauthenticated,
      store,
      record: p.record,
    }),
  ozeki: (p, store) =>
    ozeki.createApp({
      store,
      record: p.record,
      allowUnauthenticated: p.allowUnauthenticated,
      ...token(p.credential),
    }),
  voipnow: (p, store) =>
    voipnow.createApp({
      store,
      record: p.record,
      allowUnauthenticated: p.allowUnauthenticated,
      ...token(p.credential),
    }),
  opentact: (p, store) =>
    opentact.createApp({
      store,
      record: p.record,
      allowUnauthenticated: p.allowUnauthenticated,
      ...token(p.credential),
    }),
  sipgate: (p, store) =>
    sipgate.createApp({
      ...(p.credential === undefined ? {} : { publicKey: p.credential }),
      store,
      record: p.record,
    }),
  telnyx: (p, store) =>
    telnyx.createApp({
      ...(p.credential === undefined ? {} : { publicKey: p.credential }),
      ...url(p),
      allowUnauthenticated: p.allowUnauthenticated,
      store,
      record: p.record,
    }) as unknown as FlowDemoApp,
  signalwire: (p, store) =>
    signalwire.createApp({
      ...(p.credential === undefined ? {} : { signingKey: p.credential }),
      ...url(p),
      allowUnauthenticated: p.allowUnauthenticated,
      store,
      record: p.record,
    }) as unknown as FlowDemoApp,
  twilio: (p, store) =>
    twilio.createApp({
      ...(p.credential === undefined ? {} : { authToken: p.credential }),
      ...url(p),
      allowUnauthenticated: p.allowUnauthenticated,
      store,
      record: p.record,
    }) as unknown as FlowDemoApp,
};

/** Options of {@link createFlowDemo}. */
export interface FlowDemoOptions {
  /** The providers served at their own mount (those `off` left out). */
  readonly providers: readonly FlowDemoProvider[];
  /** `FLOW_BLOCKED`: callers rejected as busy, compared as given and as E.164. */
  readonly blocked: readonly string[];
  /** `FLOW_FORWARD_TO`: where other incoming calls are forwarded, with 20 s ring time. */
  readonly forwardTo: readonly string[];
  /** `FLOW_DEFAULT_COUNTRY`: the country of national numbers. */
  readonly defaultCountry: FlowCountry;
  readonly store?: CallStore | undefined;
}

/** The flow mounts and what could not be mounted. */
export interface FlowDemo {
  /** Each mount: `/flow/<provider>` and its app. */
  readonly mounts: readonly { readonly path: string; readonly app: FlowDemoApp }[];
  /** Providers that cannot express the flow, with the mount-time reason. */
  readonly unavailable: readonly { readonly provider: string; readonly reason: string }[];
  /** The call log of every mount. */
  readonly calls: CallLog;
}

/**
 * The flow country from `FLOW_DEFAULT_COUNTRY` (default `DE`).
 * @throws {TypeError} for a value that is no country libphonenumber-js knows
 */
export function flowCountryFrom(value: string | undefined): FlowCountry {
  const country = value === undefined || value === '' ? 'DE' : value.toUpperCase();
  if (!isFlowCountry(country)) {
    throw new TypeError(`an ISO 3166-1 alpha-2 country code such as DE, got "${value ?? ''}"`);
  }
  return country;
}

/**
 * Mounts the call-log flow on a new app of each provider; a provider that cannot express it
 * (the mount-time `TypeError`) is listed in `unavailable` with the reason.
 *
 * @throws {TypeError} for an empty `forwardTo`, or a credential a provider's `createApp` refuses
 */
export function createFlowDemo(options: FlowDemoOptions): FlowDemo {
  const calls = new CallLog();
  const mounts: { path: string; app: FlowDemoApp }[] = [];
  const unavailable: { provider: string; reason: string }[] = [];
  for (const provider of options.providers) {
    const app = FACTORIES[provider.name]?.(provider, options.store);
    if (app === undefined) continue;
    const { flow } = createCallLogFlow({
      blocked: options.blocked,
      forwardTo: options.forwardTo,
      defaultCountry: options.defaultCountry,
      log: calls,
    });
    try {
      flow.mount(app);
      mounts.push({ path: `/flow/${provider.name}`, app });
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      unavailable.push({
        provider: provider.name,
        reason: error.message.replace(/^flow\.mount: /, ''),
      });
    }
  }
  return { mounts, unavailable, calls };
}

/**
 * The startup lines of the flow mounts: where the flow is served, then one line per provider
 * that cannot express it and why.
 */
export function flowStartupLines(demo: Pick<FlowDemo, 'mounts' | 'unavailable'>): string[] {
  return [
    `call-log flow at ${demo.mounts.map((mount) => mount.path).join(', ') || '(no provider)'}; GET /flow/calls lists the last 100 calls`,
    ...demo.unavailable.map((entry) => `/flow/${entry.provider} is not served: ${entry.reason}`),
  ];
}
