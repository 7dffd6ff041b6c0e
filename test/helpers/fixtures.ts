/**
 * Loads the provider fixtures (`test/data/providers/<provider>.json`): documented requests and
 * answers, each with its `source` and whether it is `verbatim` (see that folder's README.md).
 * A missing file fails the test run: fixtures are part of the acceptance, never skipped.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** One documented request (see test/data/providers/README.md). */
export interface RequestFixture {
  id: string;
  source: string;
  verbatim: boolean;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  secret?: string;
  expect: { event: string; fields: Record<string, string> };
}

/** One documented answer document. */
export interface ResponseFixture {
  id: string;
  source: string;
  verbatim: boolean;
  description: string;
  xml: string;
}

/** A provider's fixture file. */
export interface ProviderFixtures {
  provider: string;
  spec: string;
  requests: RequestFixture[];
  responses: ResponseFixture[];
}

/** The folder holding the provider fixtures. */
export const FIXTURES_DIR = resolve(__dirname, '../data/providers');

/** Reads `<provider>.json` from the provider fixtures; throws when it is missing. */
export function loadFixtures(provider: string): ProviderFixtures {
  const file = resolve(FIXTURES_DIR, `${provider}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as ProviderFixtures;
}
