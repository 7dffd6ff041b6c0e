/**
 * Phone numbers of neutral events: the provider's text kept, and E.164 derived with
 * libphonenumber-js (its full metadata, so that a number is valid only where a real numbering
 * plan has it) and a default country for national numbers.
 *
 * @module
 */
import type * as LibPhoneNumber from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';
import type { FlowNumber } from './contract';

let loadedPhoneNumbers: typeof LibPhoneNumber | undefined;

/**
 * libphonenumber-js with its full metadata, loaded when a number or a country is first checked:
 * an app that imports the package root without neutral flows does not pay for it (73 modules,
 * about 1.5 MB of RSS).
 */
function phoneNumbers(): typeof LibPhoneNumber {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loadedPhoneNumbers ??= require('libphonenumber-js/max') as typeof LibPhoneNumber);
}

/** A country for national numbers: an ISO 3166-1 alpha-2 code libphonenumber-js knows, e.g. `'DE'`. */
export type FlowCountry = CountryCode;

/**
 * Whether `country` is an ISO 3166-1 alpha-2 code libphonenumber-js has a numbering plan for.
 * Never throws.
 */
export function isFlowCountry(country: unknown): country is FlowCountry {
  return (
    typeof country === 'string' &&
    /^[A-Z]{2}$/.test(country) &&
    phoneNumbers().isSupportedCountry(country)
  );
}

/** The E.164 form of `text` parsed as libphonenumber-js does, when valid. */
function valid(text: string, country: FlowCountry | undefined): string | undefined {
  const parsed = phoneNumbers().parsePhoneNumberFromString(text, country);
  return parsed !== undefined && parsed.isValid() ? parsed.number : undefined;
}

/**
 * A phone number as the provider sent it (`raw`, unchanged) and its E.164 form where it can be
 * derived (ITU-T E.164; libphonenumber-js, full metadata):
 *
 * - `+4922129191999`: international, as is;
 * - `022129191999`, `0049…`: national (or with the international prefix) of `defaultCountry`;
 * - other digits, e.g. sipgate's `4922129191999`: international without the `+` when that is a
 *   valid number, else national of `defaultCountry`.
 *
 * A SIP URI, an extension (`1001`), `anonymous`, or a number without `defaultCountry` that is
 * not international gets `e164: undefined`. Never throws.
 */
export function flowNumber(raw: string, defaultCountry?: FlowCountry): FlowNumber {
  const text = typeof raw === 'string' ? raw.trim() : '';
  let e164: string | undefined;
  if (/^\+?[\d\s().\-/]{3,30}$/.test(text)) {
    const digits = text.replace(/[^\d+]/g, '');
    if (digits.startsWith('+')) e164 = valid(digits, undefined);
    else if (digits.startsWith('0')) e164 = valid(digits, defaultCountry);
    else e164 = valid(`+${digits}`, undefined) ?? valid(digits, defaultCountry);
  }
  return { raw, e164 };
}
