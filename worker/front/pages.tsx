// The pages of the HTML front: the list of published posts, a post with its comments, and errors. Every
// value is text or an attribute that hono/jsx escapes; nothing here builds HTML by hand.
import type { Page } from "../../src/index.ts"
import { commentsOldestFirst } from "../http/serializers.ts"
import type { Comment, Post } from "../models/index.ts"
import { Layout } from "./layout.tsx"

export const FRONT_BASE = "/ui"

const postHref = (post: Post) => `${FRONT_BASE}/posts/${post.id}`

function listHref(query: { page?: number; pageSize?: number; tag?: string | undefined }): string {
  const params = new URLSearchParams()
  if (query.tag) params.set("tag", query.tag)
  if (query.page && query.page > 1) params.set("page", String(query.page))
  if (query.pageSize && query.pageSize !== 10) params.set("pageSize", String(query.pageSize))
  const search = params.toString()
  return search ? `${FRONT_BASE}?${search}` : FRONT_BASE
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`

function When(props: { at: Date }) {
  const iso = props.at.toISOString()
  return <time datetime={iso}>{`${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`}</time>
}

function Tags(props: { tags: readonly { name: string }[] }) {
  const names = props.tags.map((tag) => tag.name).sort()
  if (names.length === 0) return null
  return (
    <ul class="tags">
      {names.map((name) => (
        <li>
          <a href={listHref({ tag: name })}>{name}</a>
        </li>
      ))}
    </ul>
  )
}

export function PostListPage(props: { page: Page<[Post, number | null]>; tag: string | undefined }) {
  const { items, page, pageSize, total } = props.page
  const pages = Math.max(1, Math.ceil(total / pageSize))
  const title = props.tag ? `Posts tagged ${props.tag}` : "Posts"
  return (
    <Layout title={title}>
      <h1>{title}</h1>
      {items.length === 0 ? (
        <p class="empty">No posts here yet.</p>
      ) : (
        <ol class="posts">
          {items.map(([post, comments]) => (
            <li class="post">
              <h2>
                <a href={postHref(post)}>{post.title}</a>
              </h2>
              <p class="meta">
                by <span class="author">{post.author.username}</span> · <When at={post.createdAt} /> ·{" "}
                <span class="comment-count">{plural(comments ?? 0, "comment", "comments")}</span>
              </p>
              <Tags tags={post.tags} />
            </li>
          ))}
        </ol>
      )}
      <nav class="pager">
        {page > 1 ? (
          <a rel="prev" href={listHref({ page: page - 1, pageSize, tag: props.tag })}>
            ← Newer
          </a>
        ) : null}
        <span class="position">{`Page ${page} of ${pages} (${plural(total, "post", "posts")})`}</span>
        {page < pages ? (
          <a rel="next" href={listHref({ page: page + 1, pageSize, tag: props.tag })}>
            Older →
          </a>
        ) : null}
      </nav>
    </Layout>
  )
}

/** A post with its author, tags and comments (each with its author) loaded. */
export function PostPage(props: { post: Post }) {
  const { post } = props
  const comments = commentsOldestFirst(post)
  return (
    <Layout title={post.title}>
      <article>
        <h1>{post.title}</h1>
        <p class="meta">
          by <span class="author">{post.author.username}</span> · <When at={post.createdAt} />
        </p>
        <Tags tags={post.tags} />
        <div class="content">
          {post.content.split(/\n{2,}/).map((paragraph) => (
            <p>{paragraph}</p>
          ))}
        </div>
      </article>
      <section>
        <h2>{plural(comments.length, "comment", "comments")}</h2>
        <ol class="comments">
          {comments.map((comment) => (
            <CommentItem comment={comment} />
          ))}
        </ol>
      </section>
    </Layout>
  )
}

function CommentItem(props: { comment: Comment }) {
  return (
    <li class="comment">
      <p class="meta">
        <span class="author">{props.comment.author.username}</span> · <When at={props.comment.createdAt} />
      </p>
      <p>{props.comment.content}</p>
    </li>
  )
}

export function ErrorPage(props: { status: number; message: string }) {
  return (
    <Layout title={`Error ${props.status}`}>
      <h1>{props.status === 404 ? "Not found" : `Error ${props.status}`}</h1>
      <p class="error">{props.message}</p>
      <p>
        <a href={FRONT_BASE}>All posts</a>
      </p>
    </Layout>
  )
}
