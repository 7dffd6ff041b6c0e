/** Small assertions the tests share. */
import { CallControlError } from '../../src/core/errors';

/** The error `fn` throws; fails the test when it returns normally. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw, it returned normally');
}

/**
 * Asserts `fn` throws a `CC_ERR_ANSWER_INVALID` CallControlError (status 500) whose message
 * contains every fragment; returns the error.
 */
export function expectInvalid(fn: () => unknown, ...fragments: string[]): CallControlError {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(CallControlError);
  const callControlError = error as CallControlError;
  expect(callControlError.code).toBe('CC_ERR_ANSWER_INVALID');
  expect(callControlError.status).toBe(500);
  for (const fragment of fragments) expect(callControlError.message).toContain(fragment);
  return callControlError;
}
