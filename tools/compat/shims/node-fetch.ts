// The Neon suite's "custom fetch" test wraps node-fetch; Node 20's own fetch stands in for it, so the
// package need not be installed. The test checks that the driver calls the function it is given.
export default function nodeFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  return globalThis.fetch(input, init)
}
