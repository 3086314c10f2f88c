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
