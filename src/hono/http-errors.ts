// The JSON error shape every response of a failed request has, `{"error": {"code", "message"}}`, and
// the error an app throws to answer with one: `throw new HttpError(404, "not_found", "No post 7")`.

export interface ErrorBody {
  error: { code: string; message: string }
}

/** Codes for the statuses apps answer with; an app may use others. */
export const ERROR_CODES: Record<number, string> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  422: "validation_error",
  500: "internal_error",
  503: "unavailable",
}

export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 500 | 503

export class HttpError extends Error {
  override name = "HttpError"

  /** `headers`: set on the answer (`{ "Retry-After": "1" }`). */
  constructor(
    readonly status: ErrorStatus,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message)
  }

  body(): ErrorBody {
    return { error: { code: this.code, message: this.message } }
  }
}

export function codeFor(status: number): string {
  return ERROR_CODES[status] ?? (status >= 500 ? "internal_error" : "bad_request")
}

/**
 * Headers a handler set for the answer it meant to give: an error answer (a commit that failed after
 * the handler answered 201) must not log the client in, send it elsewhere, or let a cache keep it.
 */
export const SUCCESS_HEADERS = [
  "set-cookie",
  "location",
  "content-location",
  "cache-control",
  "etag",
  "last-modified",
  "expires",
] as const
