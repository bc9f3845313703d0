/**
 * Holds each response until the end of the current event-loop turn, so that the responses to
 * all the requests read in one turn are written back to back.
 *
 * NOTE: writing a response wakes whoever waits for it, and a wake-up is the dearest part of the
 * write. Under load, a turn reads many requests; answered one by one, each write wakes the
 * client (or proxy) anew between our turns, while written together at the turn's end they find
 * it already awake. Measured with the check benchmark (32 connections, load generator on the same
 * 2-core machine): 93 → 67 µs of CPU per cached check, /healthz unchanged. An idle server pays
 * one setImmediate, a few microseconds. One promise serves every response of a turn.
 */
export function answerAtEndOfTurn<A extends unknown[]>(
  fetch: (...args: A) => Response | Promise<Response>,
): (...args: A) => Promise<Response> {
  let turnEnd: Promise<void> | undefined;
  const endOfTurn = () => {
    turnEnd ??= new Promise((resolve) =>
      setImmediate(() => {
        turnEnd = undefined;
        resolve();
      }),
    );
    return turnEnd;
  };
  return async (...args) => {
    const response = await fetch(...args);
    await endOfTurn();
    return response;
  };
}
