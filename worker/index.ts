// The blog worker of shared/BLOG_API.md on Cloudflare Workers: `wrangler dev`, `wrangler deploy`.
import { createApp } from "./app.ts"

export default createApp()
