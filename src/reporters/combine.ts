import type { Awaitable, Reporter } from '../model/reporter.js';

/** One reporter that calls each of `list` in order, waiting only where a hook asks to. */
export function combineReporters(list: readonly Reporter[]): Required<Reporter> {
  const each =
    <K extends keyof Reporter>(hook: K) =>
    (arg: Parameters<NonNullable<Reporter[K]>>[0]): Awaitable<void> => {
      let waiting: Promise<void>[] | undefined;
      for (const reporter of list) {
        const fn = reporter[hook] as ((value: typeof arg) => Awaitable<void>) | undefined;
        const pending = fn?.call(reporter, arg);
        if (pending !== undefined) (waiting ??= []).push(pending);
      }
      return waiting === undefined ? undefined : Promise.all(waiting).then(() => undefined);
    };
  return {
    onRunStart: each('onRunStart'),
    onResult: each('onResult'),
    onBaselineStart: each('onBaselineStart'),
    onRunEnd: each('onRunEnd'),
  };
}
