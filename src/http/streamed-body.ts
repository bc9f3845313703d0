const CHUNK = 64 * 1024;

/**
 * A response body written as `parts` yields them, in chunks of about 64 kB, so that an export of
 * any size never sits in memory whole. The status is sent before the first part: check what can
 * refuse the request (permissions) before handing the parts over. A failure later cuts the body
 * off, which the client sees as a truncated download.
 */
export function streamedBody(parts: AsyncIterable<string>): ReadableStream<Uint8Array> {
  const iterator = parts[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return new ReadableStream({
    async pull(controller) {
      let chunk = "";
      while (chunk.length < CHUNK) {
        const next = await iterator.next();
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        chunk += next.value;
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
