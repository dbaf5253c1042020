// Opens the upstream half of a WebSocket session: a TCP connection to PostgreSQL that sends the client's
// StartupMessage and answers whatever authentication the server asks for (trust, cleartext, md5,
// SCRAM-SHA-256) with the upstream URL's password, as Neon's proxy logs in with its own credentials.
// It resolves at the first ReadyForQuery with the bytes from AuthenticationOk on, which the client
// reads as if its own login had succeeded.
import { createHash } from "node:crypto"
import { connect, type Socket } from "node:net"
import { cString, typed } from "./frontend-messages.ts"
import { clientFinalMessage, clientFirstMessage, serverFinalIsValid, startScram } from "./scram.ts"

export interface UpstreamLogin {
  host: string
  port: number
  /** The client's StartupMessage, untouched (user, database, options, application_name). */
  startup: Buffer
  user: string
  /** The upstream URL's password; empty when it has none. */
  password: string
}

export interface UpstreamSession {
  socket: Socket
  /** AuthenticationOk and what followed it (ParameterStatus, BackendKeyData, ReadyForQuery, ...). */
  greeting: Buffer
}

/** What the server refused the login with: its ErrorResponse fields, or a connection failure. */
export class UpstreamLoginError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message)
  }
}

const AUTH_OK = 0
const AUTH_CLEARTEXT = 3
const AUTH_MD5 = 5
const AUTH_SASL = 10
const AUTH_SASL_CONTINUE = 11
const AUTH_SASL_FINAL = 12

export function openUpstream(login: UpstreamLogin): Promise<UpstreamSession> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: login.host, port: login.port })
    let buffer = Buffer.alloc(0)
    let scram: { session: ReturnType<typeof startScram>; serverSignature?: string } | undefined
    const fail = (error: UpstreamLoginError) => {
      socket.destroy()
      reject(error)
    }
    const needPassword = () => {
      if (login.password) return login.password
      throw new UpstreamLoginError(
        "neon-local: the PostgreSQL behind it asks for a password; put it in the upstream URL (PG_URL)",
        "28P01",
      )
    }

    /** From AuthenticationOk on: the server's greeting, held until ReadyForQuery proves the login. */
    let greeting: Buffer[] | undefined
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk])
      try {
        while (buffer.length >= 5) {
          const length = buffer.readInt32BE(1)
          if (buffer.length < length + 1) return
          const type = String.fromCharCode(buffer[0] as number)
          const message = buffer.subarray(0, length + 1)
          const body = message.subarray(5)
          buffer = buffer.subarray(length + 1)
          // With trust, PostgreSQL says AuthenticationOk before it looks the role and database up: only
          // ReadyForQuery ends a login that worked.
          if (type === "E") return fail(errorFrom(body))
          if (greeting) {
            greeting.push(message)
            if (type !== "Z") continue
            socket.off("data", onData).off("error", onError).off("close", onClose)
            resolve({ socket, greeting: Buffer.concat([...greeting, buffer]) })
            return
          }
          if (type === "R" && body.readInt32BE(0) === AUTH_OK) greeting = [message]
          else if (type === "R") answer(body)
          // NoticeResponse before AuthenticationOk carries nothing the login needs.
        }
      } catch (error) {
        fail(error instanceof UpstreamLoginError ? error : new UpstreamLoginError(String(error), "08P01"))
      }
    }

    const answer = (body: Buffer) => {
      const kind = body.readInt32BE(0)
      if (kind === AUTH_CLEARTEXT) {
        socket.write(typed("p", cString(needPassword())))
      } else if (kind === AUTH_MD5) {
        const inner = md5Hex(Buffer.from(needPassword() + login.user))
        const outer = md5Hex(Buffer.concat([Buffer.from(inner), body.subarray(4, 8)]))
        socket.write(typed("p", cString(`md5${outer}`)))
      } else if (kind === AUTH_SASL) {
        const mechanisms = body.subarray(4).toString("utf8").split("\u0000")
        if (!mechanisms.includes("SCRAM-SHA-256")) {
          throw new UpstreamLoginError(`neon-local cannot log in with ${mechanisms.join(", ")}`, "28000")
        }
        needPassword()
        scram = { session: startScram() }
        const first = Buffer.from(clientFirstMessage(scram.session))
        const length = Buffer.alloc(4)
        length.writeInt32BE(first.length)
        socket.write(typed("p", Buffer.concat([cString("SCRAM-SHA-256"), length, first])))
      } else if (kind === AUTH_SASL_CONTINUE && scram) {
        const final = clientFinalMessage(scram.session, needPassword(), body.subarray(4).toString("utf8"))
        scram.serverSignature = final.serverSignature
        socket.write(typed("p", Buffer.from(final.message)))
      } else if (kind === AUTH_SASL_FINAL && scram?.serverSignature) {
        if (!serverFinalIsValid(body.subarray(4).toString("utf8"), scram.serverSignature)) {
          throw new UpstreamLoginError("SCRAM: the server's signature does not match", "08P01")
        }
      } else {
        throw new UpstreamLoginError(`neon-local cannot answer authentication request ${kind}`, "28000")
      }
    }

    const onError = (error: Error) => fail(new UpstreamLoginError(error.message, "08006"))
    const onClose = () =>
      fail(new UpstreamLoginError("the upstream PostgreSQL closed the connection", "08006"))
    socket.on("data", onData).on("error", onError).on("close", onClose)
    socket.write(login.startup)
  })
}

function errorFrom(body: Buffer): UpstreamLoginError {
  const fields = new Map<string, string>()
  for (const field of body.toString("utf8").split("\u0000")) {
    if (field) fields.set(field.slice(0, 1), field.slice(1))
  }
  return new UpstreamLoginError(fields.get("M") ?? "login refused", fields.get("C") ?? "08006")
}

function md5Hex(data: Buffer): string {
  return createHash("md5").update(data).digest("hex")
}
