/** Which page of a list the caller asked for (`?page=&pagelen=`, validated by the route schema). */
export interface PageRequest {
  page: number
  pagelen: number
}

/** One page of a list, and the list's total size. */
export interface Page<T> {
  values: T[]
  page: number
  pagelen: number
  size: number
}

export function pageWindow({ page, pagelen }: PageRequest): { limit: number; offset: number } {
  return { limit: pagelen, offset: (page - 1) * pagelen }
}

export function hasNextPage(page: Page<unknown>): boolean {
  return page.page * page.pagelen < page.size
}

/** Runs the two queries of a page: its items and the total count. */
export async function paged<T>(request: PageRequest, list: (window: { limit: number; offset: number }) => Promise<T[]>, count: () => Promise<number>): Promise<Page<T>> {
  const [values, size] = await Promise.all([list(pageWindow(request)), count()])
  return { values, page: request.page, pagelen: request.pagelen, size }
}
