// Secrets in URLs, for what is logged or shown: echo's lines, engines' names, error messages.

/** The URL (or text quoting one) with its password and any token parameter replaced by `***`. */
export function maskUrl(url: string): string {
  return url
    .replace(/\/\/([^/:@]*):[^@/]*@/, "//$1:***@")
    .replace(/([?&](?:authToken|token|password)=)[^&]*/gi, "$1***")
}
