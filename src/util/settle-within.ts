// A bounded wait for work whose end the caller cannot force: closing a socket whose peer may be gone.
// The timer is cleared as soon as the work settles, so nothing keeps a Node process or a Workers
// request alive, and the work's rejection is absorbed: a caller that gives up has no use for it.

/** Waits for `work` at most `ms` milliseconds; true if it settled (resolved or rejected) in time. */
export async function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer!: ReturnType<typeof setTimeout>
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  try {
    return await Promise.race([work.then(yes, yes), expired])
  } finally {
    clearTimeout(timer)
  }
}

const yes = () => true as const
