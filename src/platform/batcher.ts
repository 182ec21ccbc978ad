// Group commit for requests that can be decided together: while one batch is at work, the requests
// that arrive wait for the next one, which takes them all (up to a limit). An idle process runs a
// lone request at once: there is no timer and no added delay, the batches grow only with the load.
// Nothing is kept between batches: it is only a way of doing the same work in fewer statements.

/** What `together` answers for an item it leaves to `alone` (run after the batch, on its own). */
export const ONE_BY_ONE: unique symbol = Symbol('one by one');

export interface Batcher<I, O> {
  submit(item: I): Promise<O>;
}

/**
 * `together` decides a batch (answers in the items' order, ONE_BY_ONE for those it leaves); if it
 * fails, every item of the batch is decided by `alone` instead, each then failing or not on its
 * own (so `together` must be safe to retry item by item: the database's constraints decide).
 */
export function createBatcher<I, O>(
  together: (items: I[]) => Promise<(O | typeof ONE_BY_ONE)[]>,
  alone: (item: I) => Promise<O>,
  maxBatch = 256,
): Batcher<I, O> {
  let queue: { item: I; resolve: (o: O) => void; reject: (err: unknown) => void }[] = [];
  let running = false;

  async function drain(): Promise<void> {
    running = true;
    try {
      while (queue.length) {
        const batch = queue.slice(0, maxBatch);
        queue = queue.slice(batch.length);
        let answers: (O | typeof ONE_BY_ONE)[];
        try {
          answers = await together(batch.map((b) => b.item));
        } catch {
          answers = batch.map(() => ONE_BY_ONE);
        }
        for (const [i, b] of batch.entries()) {
          const answer = answers[i];
          if (answer === ONE_BY_ONE || answer === undefined) alone(b.item).then(b.resolve, b.reject);
          else b.resolve(answer);
        }
      }
    } finally {
      running = false;
    }
  }

  return {
    submit(item: I): Promise<O> {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (!running) void drain();
      });
    },
  };
}
