// Answers of pure functions kept by key (a day string → its label, an amount → its text): safe with
// any number of instances, since the answer for a key never changes. Bounded: past `limit` keys the
// memo starts again, so keys built from data cannot grow it without end.

/** A memo: `remember(key, compute)` gives the kept answer for `key`, or computes and keeps it (a throw keeps nothing). */
export function boundedMemo<K, V>(limit = 5000): (key: K, compute: () => V) => V {
  const kept = new Map<K, V>();
  return (key, compute) => {
    let value = kept.get(key);
    if (value === undefined) {
      value = compute();
      if (kept.size >= limit) kept.clear();
      kept.set(key, value);
    }
    return value;
  };
}
