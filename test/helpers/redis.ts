/**
 * Cleanup for tests against the shared redis-server of test/setup/redis-global-setup.ts: each
 * test file writes under a prefix of its own and removes its keys at the end.
 */
import type { Redis } from 'ioredis';

/** Deletes every key starting with `prefix` (`SCAN` in batches of 1000, then `DEL`). */
export async function deleteKeys(admin: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await admin.del(...keys);
  } while (cursor !== '0');
}
