/** Like Promise.all, but waits for every promise to settle before rejecting, so nothing is left running. */
export async function settleAll<T extends readonly unknown[]>(
  promises: { readonly [K in keyof T]: Promise<T[K]> },
): Promise<T> {
  await Promise.allSettled(promises);
  // Every promise has settled: Promise.all now resolves to the values, or rejects with the first failure.
  return Promise.all(promises) as Promise<T>;
}
