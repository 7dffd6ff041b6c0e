/**
 * The two kinds of {@link CallSession}: one kept in the app's store for a call, and one that
 * lives for a single request (events without a call id).
 *
 * @module
 */
import type { CallStore } from './store';
import type { CallSession, SessionValue } from './types';

/**
 * How a stored session reaches the store: runs one store call for the named operation, bounded
 * (see `store-guard.ts`), and resolves with its value, or `undefined` when the store failed, did
 * not answer in time or is known to be down (the failure is reported by the caller). Never
 * rejects.
 */
export type SessionStoreAccess = <T>(
  operation: 'sessionGet' | 'sessionGetAll' | 'sessionSet' | 'sessionDelete',
  run: (store: CallStore) => Promise<T>,
) => Promise<{ readonly value: T } | undefined>;

/**
 * A session of the call `key` (`<provider>:<call id>`), living `ttlMs` after each write, kept in
 * the store `access` reaches. When the store fails, does not answer within the bound `access`
 * sets, or is known to be down, the session reads as empty (`get` resolves `undefined`, `getAll`
 * `{}`) and writes are dropped (`set` and `delete` resolve): a handler still answers, in time.
 *
 * @throws {TypeError} (as a rejection of `set`) for a value without a JSON form (a function,
 *   `undefined`, a `BigInt`, a cycle) — checked before the store is asked
 */
export function storedSession(access: SessionStoreAccess, key: string, ttlMs: number): CallSession {
  return {
    key,
    get: async <T extends SessionValue>(field: string) => {
      const found = await access('sessionGet', (store) => store.sessionGet(key, field));
      return found?.value as T | undefined;
    },
    getAll: async () => {
      const found = await access('sessionGetAll', (store) => store.sessionGetAll(key));
      return found?.value ?? {};
    },
    set: async (field, value) => {
      checkJson(field, value);
      await access('sessionSet', (store) => store.sessionSet(key, field, value, ttlMs));
    },
    delete: async (field) => {
      await access('sessionDelete', (store) => store.sessionDelete(key, field));
    },
  };
}

/** Throws a `TypeError` when `value` has no JSON form (JSON.stringify throws or gives nothing). */
function checkJson(field: string, value: SessionValue): void {
  let json: string | undefined;
  try {
    json = JSON.stringify(value) as string | undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'it cannot be written as JSON';
    throw new TypeError(`session.set("${field}"): the value has no JSON form (${reason})`, {
      cause: error,
    });
  }
  if (json === undefined) {
    throw new TypeError(`session.set("${field}"): the value has no JSON form (${typeof value})`);
  }
}

/** A session that lives for one request: for events that name no call. */
export function requestSession(): CallSession {
  const values = new Map<string, SessionValue>();
  return {
    key: '',
    get: async <T extends SessionValue>(field: string) => values.get(field) as T | undefined,
    getAll: async () => Object.fromEntries(values),
    set: async (field, value) => {
      values.set(field, value);
    },
    delete: async (field) => {
      values.delete(field);
    },
  };
}
