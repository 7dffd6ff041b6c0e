/**
 * The capability matrix of provider-neutral call flows, read off each registered provider's
 * flow declarations (`ProviderFlow.verbs` and `events`), never kept by hand; and its Markdown
 * rendering, which `npm run docs:flows` writes into `docs/flows.md`.
 *
 * @module
 */
import { PROVIDERS } from '../providers/registry';
import {
  FLOW_EVENTS,
  FLOW_VERBS,
  type FlowCapability,
  type FlowEventName,
  type FlowVerb,
} from './contract';

/** Whether a provider sends a neutral event: from which of its own events, or why not. */
export type FlowEventCapability =
  | { readonly supported: true; readonly as: readonly string[] }
  | { readonly supported: false; readonly reason: string };

/** One provider's row of the capability matrix. */
export interface ProviderFlowCapabilities {
  /** The provider id, e.g. as `app.provider` spells it. */
  readonly provider: string;
  /** The provider's name for people. */
  readonly title: string;
  /** Its reference, `docs/providers/<name>.md`. */
  readonly reference: string;
  /** Whether it has flow support at all; without it, every verb and event is unsupported. */
  readonly flow: boolean;
  /** Per neutral verb: its capability (with limits in words with units, or the reason). */
  readonly verbs: { readonly [V in FlowVerb]: FlowCapability };
  /** Per neutral event: the provider's events it comes from, or the reason it never comes. */
  readonly events: { readonly [E in FlowEventName]: FlowEventCapability };
}

/**
 * The capability matrix: per registered provider (registry order), each neutral verb and event
 * as its flow declares it. A provider without flow support has every entry unsupported with
 * that reason. Never throws.
 */
export function flowCapabilities(): readonly ProviderFlowCapabilities[] {
  return PROVIDERS.map((plugin) => {
    const flow = plugin.flow;
    const none = `${plugin.title} has no flow support yet`;
    const verbs = Object.fromEntries(
      FLOW_VERBS.map((verb) => [verb, flow?.verbs[verb] ?? { supported: false, reason: none }]),
    ) as ProviderFlowCapabilities['verbs'];
    const events = Object.fromEntries(
      FLOW_EVENTS.map((name) => {
        const from = flow?.events[name];
        const capability: FlowEventCapability =
          from === undefined
            ? { supported: false, reason: none }
            : Array.isArray(from)
              ? { supported: true, as: from as readonly string[] }
              : { supported: false, reason: (from as { reason: string }).reason };
        return [name, capability];
      }),
    ) as ProviderFlowCapabilities['events'];
    return {
      provider: plugin.name,
      title: plugin.title,
      reference: plugin.reference,
      flow: flow !== undefined,
      verbs,
      events,
    };
  });
}

/**
 * Text for a Markdown list item: a provider's tags (`<Dial><Number>`) as code, so that they are
 * shown rather than parsed as HTML; whitespace runs as one space.
 */
function markdown(value: string): string {
  return value.replace(/\s+/g, ' ').replace(/(?:<[^<>`]*>)+/g, (tags) => `\`${tags}\``);
}

/**
 * The capability matrix as Markdown: a table (rows: neutral verbs, then events; columns:
 * providers; ✓ supported, — not), then per provider what each verb becomes with its limits, and
 * why the others cannot be expressed. Deterministic (the docs are checked against it). Never
 * throws.
 */
export function renderCapabilityMatrix(
  capabilities: readonly ProviderFlowCapabilities[] = flowCapabilities(),
): string {
  const header = `| | ${capabilities.map((row) => row.title).join(' | ')} |`;
  const rule = `|---|${capabilities.map(() => ':-:').join('|')}|`;
  const mark = (supported: boolean) => (supported ? '✓' : '—');
  const verbRows = FLOW_VERBS.map(
    (verb) =>
      `| \`${verb}\` | ${capabilities.map((row) => mark(row.verbs[verb].supported)).join(' | ')} |`,
  );
  const eventRows = FLOW_EVENTS.map(
    (name) =>
      `| event \`${name}\` | ${capabilities.map((row) => mark(row.events[name].supported)).join(' | ')} |`,
  );
  const details = capabilities.map((row) => {
    const lines = [`### ${row.title}`, '', `Reference: \`${row.reference}\`.`, ''];
    if (!row.flow) {
      lines.push(`${row.title} has no flow support yet.`);
      return lines.join('\n');
    }
    for (const verb of FLOW_VERBS) {
      const capability = row.verbs[verb];
      lines.push(
        capability.supported
          ? `- \`${verb}\`: ${markdown(capability.as)}` +
              (capability.limits === undefined ? '' : ` — ${markdown(capability.limits)}`)
          : `- \`${verb}\`: not supported — ${markdown(capability.reason)}`,
      );
    }
    for (const name of FLOW_EVENTS) {
      const capability = row.events[name];
      lines.push(
        capability.supported
          ? `- event \`${name}\`: from ${capability.as.map((event) => `\`${event}\``).join(', ')}`
          : `- event \`${name}\`: never sent — ${markdown(capability.reason)}`,
      );
    }
    return lines.join('\n');
  });
  return [header, rule, ...verbRows, ...eventRows, '', ...details.flatMap((d) => [d, ''])]
    .join('\n')
    .trimEnd();
}
