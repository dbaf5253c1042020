// Request validation with valibot through Hono's validator. A body or query that does not have the
// right shape (malformed, wrong types, unknown fields, a bad query parameter) is 400 bad_request; a
// body of the right shape whose field breaks a rule (too short, too long) is 422 validation_error.
import { vValidator } from "@hono/valibot-validator"
import * as v from "valibot"
import { characterCount } from "./characters.ts"
import { badRequest, invalid, notFound } from "./errors.ts"

/** A JSON media type, as Hono's validator reads one (`application/json`, `application/merge-patch+json`). */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i

/**
 * A JSON body checked against `schema`; the handler reads it with `c.req.valid("json")`. A body sent
 * as another media type (or none) is refused as such: Hono's validator would read it as `{}` and
 * answer that every field is missing.
 */
export function jsonBody<S extends v.GenericSchema>(schema: S) {
  const validate = vValidator("json", schema, (result) => {
    if (result.success) return
    const shapeWrong = result.issues.some((issue) => issue.kind === "schema")
    throw (shapeWrong ? badRequest : invalid)(describe(result.issues))
  })
  const checked: typeof validate = (c, next) => {
    const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim() ?? ""
    if (!JSON_MEDIA_TYPE.test(mediaType)) {
      throw badRequest(
        `The body must be JSON, sent with Content-Type: application/json (got ${JSON.stringify(mediaType || "none")})`,
      )
    }
    return validate(c, next)
  }
  return checked
}

/** Query parameters checked against `schema`; any failure is 400. */
export function queryParams<S extends v.GenericSchema>(schema: S) {
  return vValidator("query", schema, (result) => {
    if (!result.success) throw badRequest(describe(result.issues))
  })
}

function describe(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const path = v.getDotPath(issue)
      return path ? `${path}: ${issue.message}` : issue.message
    })
    .join("; ")
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * Text a database stores exactly as sent: no NUL (PostgreSQL refuses it), no lone surrogates, and
 * `min` to `max` characters as a VARCHAR counts them.
 */
export function storableText(min: number, max: number) {
  return v.pipe(
    v.string(),
    v.check((text) => !text.includes("\u0000"), "must not contain NUL characters"),
    v.check((text) => !LONE_SURROGATE.test(text), "must be well-formed Unicode"),
    v.check(
      (text) => text.length >= min && characterCount(text) >= min,
      `must be at least ${min} characters`,
    ),
    v.check((text) => text.length <= max || characterCount(text) <= max, `must be at most ${max} characters`),
  )
}

const MAX_ID = 2_147_483_647

/** A path id: a positive integer that fits the column, else 404 (there is no such resource). */
export function idParam(raw: string | undefined, what: string): number {
  const id = /^[1-9]\d{0,9}$/.test(raw ?? "") ? Number(raw) : Number.NaN
  if (!(id <= MAX_ID)) throw notFound(`No ${what} ${JSON.stringify(raw)}`)
  return id
}

/** An id in a query string: a positive integer that fits the column (else 400, as any bad parameter). */
export const idQuery = v.pipe(
  v.string(),
  v.regex(/^[1-9]\d{0,9}$/, "must be a positive integer"),
  v.transform(Number),
  v.maxValue(MAX_ID, `must be at most ${MAX_ID}`),
)

const positiveInteger = (max: number) =>
  v.pipe(
    v.string(),
    v.regex(/^\d{1,9}$/, "must be a positive integer"),
    v.transform(Number),
    v.minValue(1, "must be at least 1"),
    v.maxValue(max, `must be at most ${max}`),
  )

/** `?page&pageSize`: page from 1, pageSize 1-100 (default 10); other parameters are left to the route. */
export const pageQuery = {
  page: v.optional(positiveInteger(1_000_000), "1"),
  pageSize: v.optional(positiveInteger(100), "10"),
}

export const pagingOnly = v.object(pageQuery)
