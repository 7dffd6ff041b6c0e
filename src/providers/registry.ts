/**
 * The provider registry: the one list of the providers callcontrol knows. The package's
 * provider namespaces (`import { placetel } from 'callcontrol'`), `callcontrol simulate` and
 * `callcontrol validate`, `validateAnswer` and the test kit (`client.<provider>`) all read it;
 * the package entry points (`callcontrol/<provider>`), the API docs and the provider references
 * are checked against it (`test/core/registry.test.ts`, `scripts/check-package.mjs`).
 *
 * Adding a provider: its folder `src/providers/<name>/` (with `index.ts` and a `plugin.ts`
 * exporting its `ProviderPlugin`, see `./plugin.ts`), its reference `docs/providers/<name>.md`, and one line
 * here in each of the two lists below — plus its `package.json` entry point, which the checks
 * name when it is missing.
 *
 * @module
 */
import { opentactPlugin } from './opentact/plugin';
import { ozekiPlugin } from './ozeki/plugin';
import { placetelPlugin } from './placetel/plugin';
import { signalwirePlugin } from './signalwire/plugin';
import { sipgatePlugin } from './sipgate/plugin';
import { telnyxPlugin } from './telnyx/plugin';
import { twilioPlugin } from './twilio/plugin';
import { voipNowPlugin } from './voipnow/plugin';

// The provider namespaces of the package root, one per provider (sorted by name).
export * as opentact from './opentact';
export * as ozeki from './ozeki';
export * as placetel from './placetel';
export * as signalwire from './signalwire';
export * as sipgate from './sipgate';
export * as telnyx from './telnyx';
export * as twilio from './twilio';
export * as voipnow from './voipnow';

/**
 * Every provider's plug-in, in the order help texts and docs list them: the four providers of
 * the first release, then the rest in the order they were added.
 */
export const PROVIDERS = [
  placetelPlugin,
  ozekiPlugin,
  voipNowPlugin,
  opentactPlugin,
  sipgatePlugin,
  twilioPlugin,
  telnyxPlugin,
  signalwirePlugin,
] as const;

/** The plug-in of one registered provider. */
export type RegisteredProvider = (typeof PROVIDERS)[number];

/** A registered provider's id: `'placetel' | 'ozeki' | 'voipnow' | 'opentact' | 'sipgate'`. */
export type ProviderName = RegisteredProvider['name'];

/** The plug-in of the provider `Name`. */
export type ProviderPluginOf<Name extends ProviderName> = Extract<
  RegisteredProvider,
  { readonly name: Name }
>;

/** The scenario options of the provider `Name`'s simulated calls, e.g. `PlacetelCallScenarioOptions`. */
export type ScenarioOptionsOf<Name extends ProviderName> = ReturnType<
  ProviderPluginOf<Name>['testKit']['scenarioOptions']
>;

/** The requests of the test kit for the provider `Name` (`client.<Name>`), e.g. `PlacetelTestRequests`. */
export type TestRequestsOf<Name extends ProviderName> = ReturnType<
  ProviderPluginOf<Name>['testKit']['requests']
>;

/** The names of the registered providers, in registry order. */
export const PROVIDER_NAMES: readonly ProviderName[] = PROVIDERS.map((plugin) => plugin.name);

/**
 * The plug-in of the provider `name`, `undefined` for a name that is not registered (any
 * string: command-line input, `app.provider`).
 */
export function findProvider(name: string): RegisteredProvider | undefined {
  return PROVIDERS.find((plugin) => plugin.name === name);
}
