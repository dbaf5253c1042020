// The JSON shapes of BLOG_API.md. Times are ISO-8601 in UTC; a password hash never leaves the server.
import type { Page } from "../../src/index.ts"
import type { Comment, Post, User } from "../models/index.ts"

export interface AuthorJson {
  id: number
  username: string
}

export function userJson(user: User) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    bio: user.bio,
    createdAt: user.createdAt.toISOString(),
    isActive: user.isActive,
  }
}

export function authorJson(user: User): AuthorJson {
  return { id: user.id, username: user.username }
}

/** A post; its author and tags must be loaded (or given), its comment count is given. */
export function postJson(post: Post, commentCount: number, author: AuthorJson = authorJson(post.author)) {
  return {
    id: post.id,
    title: post.title,
    content: post.content,
    published: post.published,
    createdAt: post.createdAt.toISOString(),
    updatedAt: post.updatedAt.toISOString(),
    version: post.version,
    author,
    tags: post.tags.map((tag) => tag.name).sort(),
    commentCount,
  }
}

/** A comment; its author must be loaded (or given). */
/** A page of `[post, commentCount]` rows as the API shows it. */
export function postPageJson(page: Page<[Post, number | null]>) {
  return { ...page, items: page.items.map(([post, comments]) => postJson(post, comments ?? 0)) }
}

export function commentJson(comment: Comment, author: AuthorJson = authorJson(comment.author)) {
  return {
    id: comment.id,
    content: comment.content,
    createdAt: comment.createdAt.toISOString(),
    author,
  }
}

/** A post's comments (loaded), oldest first, as the API and the HTML front show them. */
export function commentsOldestFirst(post: Post): Comment[] {
  return [...post.comments].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id)
}

/** A post with its comments, oldest first, as `GET /posts/:id` answers. */
export function postDetailJson(post: Post) {
  const comments = commentsOldestFirst(post)
  return { ...postJson(post, comments.length), comments: comments.map((comment) => commentJson(comment)) }
}
