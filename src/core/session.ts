/**
 * The two kinds of {@link CallSession}: one kept in the app's store for a call, and one that
 * lives for a single request (events without a call id).
 *
 * @module
 */
import type { CallStore } from './store';
import type { CallSession, SessionValue } from './types';

/** A session of the call `key` (`<provider>:<call id>`) in `store`, living `ttlMs` after each write. */
export function storedSession(store: CallStore, key: string, ttlMs: number): CallSession {
  return {
    key,
    get: async <T extends SessionValue>(field: string) =>
      (await store.sessionGet(key, field)) as T | undefined,
    getAll: () => store.sessionGetAll(key),
    set: (field, value) => store.sessionSet(key, field, value, ttlMs),
    delete: (field) => store.sessionDelete(key, field),
  };
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
