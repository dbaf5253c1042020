// The page's database cost, read in the browser from the Server-Timing header of the navigation
// (`performance.getEntriesByType("navigation")[0].serverTiming`), as devtools shows it. Inline and
// constant: it carries no data of the page, so it cannot carry an injection either.
export const SERVER_TIMING_SCRIPT = `
(() => {
  const [navigation] = performance.getEntriesByType("navigation")
  const entries = navigation ? navigation.serverTiming : []
  const db = entries.find((entry) => entry.name === "db")
  const out = document.getElementById("server-timing")
  if (!out) return
  if (!db) {
    out.textContent = "Database cost not reported (Server-Timing is hidden from this page)"
    return
  }
  const [roundTrips, statements] = (db.description.match(/\\d+/g) || []).map(Number)
  out.dataset.roundTrips = String(roundTrips)
  out.dataset.statements = String(statements)
  const others = entries.filter((entry) => entry !== db).map((entry) => entry.name + " " + entry.duration.toFixed(1) + " ms")
  out.textContent =
    "This page: " + roundTrips + (roundTrips === 1 ? " database round trip, " : " database round trips, ") +
    statements + (statements === 1 ? " statement, " : " statements, ") + db.duration.toFixed(1) + " ms" +
    (others.length ? " (" + others.join(", ") + ")" : "")
})()
`
