// Holds one HTTP request of a test's scope before it leaves, so that the test can act while a flush or
// a query is certainly under way, then lets it go: the request, the database and the answer are the
// real ones, only later. The drivers call the global fetch when they send (src/drivers/in-flight.ts).

export interface HeldRequest {
  /** Settles when the request has been sent (and is being held), or answered (its answer held). */
  readonly sent: Promise<void>
  /** Lets it go on to the endpoint, or its answer on to the driver. */
  release(): void
}

/**
 * Holds the next request whose URL contains `scope` (the endpoints' own `/__` paths pass): before it
 * reaches the endpoint, or with `answered`, once the database has run it, before its answer comes back.
 */
export function holdNextRequest(scope: string, { answered = false } = {}): HeldRequest {
  stopHolding()
  const realFetch = globalThis.fetch
  let sent!: () => void
  let release!: () => void
  const released = new Promise<void>((resolve) => {
    release = resolve
  })
  const held: HeldRequest = {
    sent: new Promise<void>((resolve) => {
      sent = resolve
    }),
    release,
  }
  stopHolding = () => {
    globalThis.fetch = realFetch
    release()
    stopHolding = () => {}
  }
  globalThis.fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input)
    if (!url.includes(scope) || url.includes("/__")) return realFetch(input, init)
    globalThis.fetch = realFetch
    stopHolding = release
    if (answered) {
      const answer = await realFetch(input, init)
      sent()
      await released
      return answer
    }
    sent()
    await released
    return realFetch(input, init)
  }
  return held
}

/** Puts the real fetch back and lets a held request go, for a test that ended before it released it. */
export let stopHolding = (): void => {}
