/**
 * The provider plug-in: what one provider folder (`src/providers/<name>/`) offers the tools
 * around the core — the `callcontrol simulate` and `callcontrol validate` commands, the test kit
 * (`callcontrol/testing`) and the package checks. Each folder exports one
 * {@link ProviderPlugin} from its `plugin.ts`; `src/providers/registry.ts` lists them, and
 * every tool reads that list, so that adding a provider means adding its folder and its
 * registry line.
 *
 * The runtime contract — how the core verifies, parses, routes and answers a provider's
 * requests — is a different one: `ProviderDefinition` in `src/core/provider.ts`, which
 * each provider's `createApp` hands to the core.
 *
 * @module
 */
import type { KeyObject } from 'node:crypto';
import type { TestReply, AnswerRenderer, TestRequest } from '../testing/reply';
import type { CallOptions, PlayedCall } from '../testing/types';
import type { CallSteps, TargetBehaviour } from '../testing/transcript';
import type { ProviderFlow } from '../flow/contract';
import type { ProviderRules, ValidateOptions } from '../validate/types';

/** The credential options of the test kit a provider may sign requests with. */
export type SigningOption = 'secret' | 'privateKey' | 'authToken';

/** The scenario options the `simulate` command has for every provider (commander's key). */
export type CommonSimulateOption = 'secret' | 'digits' | 'hangupCause';

/**
 * One option of a provider's `callcontrol simulate <provider>` command.
 *
 * @example `{ flags: '--duration <seconds>', description: 'talk time, in seconds', wholeNumber: true }`
 */
export interface SimulateOption {
  /** The flags in commander's syntax: `'--from <number>'`, `'--digits <keys...>'`, `'--outgoing'`. */
  readonly flags: string;
  /** The help text (units spelled out: seconds or milliseconds). */
  readonly description: string;
  /** The value must be a whole number ≥ 0, handed to the scenario as a number. */
  readonly wholeNumber?: boolean;
  /** The value when the option is not given. */
  readonly defaultValue?: string;
}

/**
 * The parsed options of one `simulate` run, by commander's key (`--call-id` → `callId`): a
 * string, a number (`wholeNumber` options), `true` (flags), or strings (variadic options).
 * A scenario file (`--scenario`) adds the call plan under `targets` (target → behaviour),
 * `talkSeconds` and `hangupAfterSeconds` (numbers of seconds); read them with `callPlanOf`
 * (`src/providers/plugin-kit.ts`).
 */
export type SimulateArguments = Readonly<
  Record<
    string,
    | string
    | number
    | boolean
    | readonly string[]
    | Readonly<Record<string, TargetBehaviour>>
    | undefined
  >
>;

/** A provider's `callcontrol simulate <provider> <url>` command. */
export interface SimulateCommand {
  /** One line for the command list, e.g. `'IncomingCall → CallAccepted → HungUp'`. */
  readonly description: string;
  /** The help of the `<url>` argument. */
  readonly urlHelp: string;
  /** The command's own options, in the order `--help` lists them. */
  readonly options: readonly SimulateOption[];
  /**
   * Common options this provider has no notion of, with the reason: accepted by the parser
   * (hidden from `--help`) only to explain the usage error.
   */
  readonly unsupported: Readonly<Partial<Record<CommonSimulateOption, string>>>;
  /** Printed after the options in `--help`: what each common option means here. */
  readonly notes: string;
  /**
   * The requests of the call to play, in order — with the transcript's first entries (the
   * call coming in) when given as a {@link CallSteps} step.
   * @throws {TypeError} for a usage error; its message is printed and the command exits with 2
   */
  scenario(options: SimulateArguments): CallSteps;
  /**
   * For a provider whose next requests depend on the answers (TwiML: the `action` of a
   * `<Gather>` is where the digits go): the requests to send right after `request` got `reply`,
   * before the scenario's remaining ones. `sent` is every request sent so far (the last is
   * `request`), `baseUrl` the URL the scenario's paths are relative to. Default: none.
   * The step also carries what the caller lived meanwhile, for the transcript ("hears: …",
   * "rings … answered after 4 s", "call ended: …"); see `src/testing/transcript.ts`.
   * @throws {TypeError} for a usage error (printed; the command exits with 2)
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for an answer that breaks the
   *   provider's rules (the run ends there with exit 1)
   */
  follow?(
    reply: ScenarioReply,
    sent: readonly TestRequest[],
    options: SimulateArguments,
    baseUrl: string,
  ): CallSteps;
  /**
   * For a provider that signs the URL (TwiML: `X-Twilio-Signature`): the request signed for
   * the full `url` it is sent to, as the options say (unchanged without a credential).
   * Default: requests are sent as the scenario made them.
   */
  sign?(request: TestRequest, url: string, options: SimulateArguments): TestRequest;
}

/** What a request of a simulated call got back, for {@link SimulateCommand.follow}. */
export interface ScenarioReply {
  /** The request answered. */
  readonly request: TestRequest;
  /** The HTTP status; `undefined` when no answer came. */
  readonly status: number | undefined;
  /** The body as text. */
  readonly body: string;
}

/**
 * An option of `callcontrol validate` that only one provider has, handed to `validateAnswer`
 * in its `ValidateOptions` (e.g. Ozeki's `--ozeki-control`).
 */
export interface ValidateCommandOption {
  /** The flags in commander's syntax, named after the provider: `'--ozeki-control <control>'`. */
  readonly flags: string;
  /** The help text. */
  readonly description: string;
  /** The `ValidateOptions` key the value goes to, e.g. `'ozekiControl'`. */
  readonly key: keyof ValidateOptions;
  /** The values it takes; anything else is a usage error. */
  readonly choices: readonly string[];
}

/** What a provider's part of the test kit may do with the client it belongs to. */
export interface TestKitClient {
  /** Sends one request (signed and authenticated as the client's options say). */
  send(request: TestRequest): Promise<TestReply>;
  /**
   * Sends requests one after another as one call; with `follow`, the requests it returns for a
   * reply are sent right after it (before the remaining ones), see {@link SimulateCommand.follow}.
   */
  play(
    requests: CallSteps,
    follow?: (reply: ScenarioReply, sent: readonly TestRequest[]) => CallSteps,
  ): Promise<PlayedCall>;
  /** The URL the requests' paths are relative to (the public URL of the app's mount point). */
  readonly baseUrl: string;
}

/**
 * The requests of a provider's test kit (`client.<provider>`): at least a whole call; most also
 * have one method per event.
 */
export interface ProviderTestRequests<ScenarioOptions> {
  /** A whole call, as `callcontrol simulate <provider>` plays it. */
  playCall(options?: ScenarioOptions): Promise<PlayedCall>;
}

/** What a request is sent as, for signatures over the URL. */
export interface SignedTarget {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The full URL the request goes to, as the app computes its public URL. */
  readonly url: string;
}

/** How the test kit signs a provider's requests, for a provider that signs them. */
export interface TestKitSigning {
  /** The key of the test client's options (`TestClientOptions`) holding the credential. */
  readonly option: SigningOption;
  /** How the provider signs, for error messages, e.g. `'an RSA key'`, `'a shared secret'`. */
  readonly with: string;
  /** The signature header (lower case), e.g. `'x-placetel-signature'`. */
  readonly header: string;
  /**
   * The signature for `body` signed with the credential; `target` is the request's method and
   * full URL, for providers that sign the URL too. A string is the value of `header`; an object
   * gives every header the signature takes (lower-case names), e.g. Telnyx's signature and the
   * timestamp it covers.
   * @throws {TypeError} for a credential that cannot sign (e.g. not a private key)
   */
  sign(
    body: Buffer,
    credential: string | KeyObject,
    target: SignedTarget,
  ): string | Readonly<Record<string, string>>;
}

/** A provider's part of the test kit (`callcontrol/testing`). */
export interface ProviderTestKit<
  ScenarioOptions,
  Requests extends ProviderTestRequests<ScenarioOptions>,
> {
  /** How the kit signs this provider's requests; absent for a provider that signs nothing. */
  readonly signing?: TestKitSigning;
  /**
   * How the kit tells and renders this provider's answers (for `expectAnswer`), with the
   * provider's default render options; used for an app under test that cannot render its own
   * answers (one without `isAnswer` and `renderAnswer`).
   */
  renderer(): AnswerRenderer;
  /**
   * The provider's scenario options for provider-neutral {@link CallOptions}.
   * @throws {TypeError} for an option the provider has no notion of, or a value it never sends
   */
  scenarioOptions(options: CallOptions): ScenarioOptions;
  /** The requests of `client.<provider>`, sent through `client`. */
  requests(client: TestKitClient): Requests;
}

/**
 * Everything the tools know of one provider. Made by {@link defineProviderPlugin} in the
 * provider's `plugin.ts`, listed in `src/providers/registry.ts`.
 */
export interface ProviderPlugin<
  Name extends string = string,
  ScenarioOptions = never,
  Requests extends ProviderTestRequests<ScenarioOptions> = ProviderTestRequests<ScenarioOptions>,
  Flow extends ProviderFlow = ProviderFlow,
> {
  /** The provider id, as `app.provider` and every command spell it, e.g. `'placetel'`. */
  readonly name: Name;
  /** The provider's name for people, e.g. `'Placetel'`, `'sipgate.io'`. */
  readonly title: string;
  /** The provider reference shipped with the package, e.g. `'docs/providers/placetel.md'`. */
  readonly reference: string;
  /** The rule table of `validateAnswer` / `callcontrol validate` for its answers. */
  readonly rules: ProviderRules;
  /**
   * The provider's support of provider-neutral call flows (`src/providers/<name>/flow.ts`): its
   * events made neutral and its compiler of neutral answers; absent while it has none. Its
   * `verbs` keep their declared types, from which `flow.mount` reads at compile time the verbs
   * the provider can express (`FlowVerbsOf`).
   */
  readonly flow?: Flow;
  /** The provider's own options of `callcontrol validate`, if any. */
  readonly validateOptions?: readonly ValidateCommandOption[];
  /** The `callcontrol simulate <name>` command. */
  readonly simulate: SimulateCommand;
  /** The provider's part of the test kit. */
  readonly testKit: ProviderTestKit<ScenarioOptions, Requests>;
}

/**
 * Checks and returns a provider plug-in (an identity function that keeps its literal types).
 *
 * @throws {TypeError} when `name` is not a lower-case identifier, `reference` is not
 *   `docs/providers/<name>.md`, or the rule table is for another provider
 */
export function defineProviderPlugin<
  const Name extends string,
  ScenarioOptions,
  Requests extends ProviderTestRequests<ScenarioOptions>,
  Flow extends ProviderFlow = ProviderFlow,
>(
  plugin: ProviderPlugin<Name, ScenarioOptions, Requests, Flow>,
): ProviderPlugin<
  Name,
  ScenarioOptions,
  Requests,
  ProviderFlow & { readonly verbs: Flow['verbs'] }
> {
  if (!/^[a-z][a-z0-9]*$/.test(plugin.name)) {
    throw new TypeError(
      `provider plug-in: name must be a lower-case identifier, got "${plugin.name}"`,
    );
  }
  if (plugin.reference !== `docs/providers/${plugin.name}.md`) {
    throw new TypeError(
      `provider plug-in ${plugin.name}: reference must be docs/providers/${plugin.name}.md`,
    );
  }
  if (plugin.rules.provider !== plugin.name) {
    throw new TypeError(
      `provider plug-in ${plugin.name}: its rule table is for "${plugin.rules.provider}"`,
    );
  }
  return plugin;
}
