// Relays a Neon WebSocket (PostgreSQL protocol in binary frames) to the endpoint behind the proxy, one
// round trip at a time: client messages are grouped up to the one the client then waits on (startup,
// password, Query, Sync; a Flush when nothing follows it), and each group is a round trip the plan may
// fault.
import { WebSocket } from "ws"
import { AWAITS_ANSWER, FrontendParser } from "../neon-local/frontend-messages.ts"
import { BackendAnswers } from "./backend-answers.ts"
import type { FaultKind, FaultPlan } from "./plan.ts"

/** How long a Flush waits for more messages before it counts as a round trip of its own. */
const FLUSH_WAIT_MS = 50

export interface WebSocketRelayContext {
  readonly plan: FaultPlan
  readonly scope: string | undefined
  /** Whether the network is silent (`silence()`): nothing passes, in either direction. */
  readonly silent: () => boolean
  /** Registers the pair while it is open, so the proxy can count and close it. */
  readonly track: (pair: { close(): void; hung: boolean }) => () => void
}

export function relayWebSocket(client: WebSocket, upstreamUrl: string, context: WebSocketRelayContext): void {
  const upstream = new WebSocket(upstreamUrl)
  const parser = new FrontendParser()
  const answers = new BackendAnswers()
  const waiting: Buffer[] = []
  /** Set once a fault decided this connection's fate: what remains is only to carry it out. */
  let fate: FaultKind | undefined
  /** With a `cut`: answers to pass on before the one to lose. */
  let passBeforeCut = 0
  let closed = false

  const pair = { close: () => closeBoth("terminate"), hung: false }
  const untrack = context.track(pair)
  function closeBoth(how: "terminate" | "fail"): void {
    if (closed) return
    closed = true
    clearTimeout(flushTimer)
    untrack()
    if (how === "fail") client.close(1011, "fault-proxy: injected failure")
    else client.terminate()
    upstream.terminate()
  }

  const toUpstream = (bytes: Buffer) => {
    if (upstream.readyState === WebSocket.OPEN) upstream.send(bytes)
    else waiting.push(bytes)
  }
  upstream.on("open", () => {
    for (const bytes of waiting.splice(0)) upstream.send(bytes)
  })

  /** The client's messages since the last round trip, and their types. */
  let group: Buffer[] = []
  let groupTypes: string[] = []
  /** A Flush ends a round trip only if nothing follows it at once (node-postgres sends Sync next). */
  let flushTimer: ReturnType<typeof setTimeout> | undefined

  /** The group is a round trip: the plan decides its fate, and it goes on (or not). */
  function endRoundTrip(): void {
    clearTimeout(flushTimer)
    const bytes = Buffer.concat(group)
    const ssl = groupTypes.at(-1) === "ssl"
    const fault = context.plan.take("websocket", context.scope, groupTypes.join(""))
    group = []
    groupTypes = []
    if (fault === undefined || fault === "cut") {
      answers.expect(ssl ? "ssl" : "message")
      toUpstream(bytes)
    }
    if (fault === undefined) return
    fate = fault
    if (fault === "drop") closeBoth("terminate")
    else if (fault === "fail") closeBoth("fail")
    else if (fault === "hang") pair.hung = true
    else passBeforeCut = answers.owed - 1
  }

  client.on("message", (data: Buffer | ArrayBuffer | Buffer[]) => {
    if (context.silent()) {
      fate = "hang"
      pair.hung = true
    }
    if (closed || fate !== undefined) return
    clearTimeout(flushTimer)
    for (const message of parser.push(toBuffer(data))) {
      group.push(message.bytes)
      groupTypes.push(message.type)
      if (message.type === "X") {
        // Terminate awaits nothing: it goes straight on, as does anything sent with it.
        toUpstream(Buffer.concat(group))
        group = []
        groupTypes = []
      } else if (AWAITS_ANSWER.has(message.type) && message.type !== "H") {
        endRoundTrip()
        if (fate !== undefined) return
      }
    }
    if (groupTypes.at(-1) === "H") flushTimer = setTimeout(endRoundTrip, FLUSH_WAIT_MS)
  })

  upstream.on("message", (data: Buffer | ArrayBuffer | Buffer[]) => {
    if (closed || fate === "hang" || context.silent()) return
    for (const slice of answers.push(toBuffer(data))) {
      if (fate !== "cut" || passBeforeCut > 0) {
        if (client.readyState === WebSocket.OPEN) client.send(slice.bytes)
        if (fate === "cut" && slice.complete) passBeforeCut--
        continue
      }
      // The answer to lose: the database has done the work; the client never hears of it.
      if (slice.complete) closeBoth("terminate")
    }
  })

  const onGone = () => {
    if (!pair.hung) closeBoth("terminate")
  }
  client.on("close", () => closeBoth("terminate"))
  client.on("error", () => closeBoth("terminate"))
  upstream.on("close", onGone)
  upstream.on("error", onGone)
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)
}
