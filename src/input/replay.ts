/**
 * The items already read from a stream (to sniff its kind or encoding), then the rest of the
 * same stream, as one stream; ending it early closes the underlying one.
 */
export async function* replay<T>(head: readonly T[], rest: AsyncIterator<T> | null): AsyncGenerator<T> {
  try {
    yield* head;
    if (rest === null) return;
    for (;;) {
      const next = await rest.next();
      if (next.done === true) return;
      yield next.value;
    }
  } finally {
    await rest?.return?.();
  }
}

/**
 * Reads the first items of `items` until `enough` (called with each one as it arrives, and its
 * index) says so, or the stream ends; returns them, and the whole stream again from its beginning.
 */
export async function peek<T>(items: AsyncIterable<T>, enough: (item: T, index: number) => boolean): Promise<{ head: T[]; stream: AsyncGenerator<T> }> {
  const iterator = items[Symbol.asyncIterator]();
  const head: T[] = [];
  let done = false;
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) {
      done = true;
      break;
    }
    head.push(next.value);
    if (enough(next.value, head.length - 1)) break;
  }
  return { head, stream: replay(head, done ? null : iterator) };
}
