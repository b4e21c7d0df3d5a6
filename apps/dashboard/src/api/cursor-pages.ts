import { keepPreviousData, useInfiniteQuery, type QueryKey } from '@tanstack/react-query';

/** A page of a list the API pages with a cursor (`next_cursor` is null on the last page). */
interface CursorPage {
  items: unknown[];
  next_cursor?: string | null;
}

/** The `cursor` query parameter of a page request: none for the first page. */
export const cursorParam = (cursor: string | undefined): { cursor?: string } => (cursor ? { cursor } : {});

/**
 * A list the API pages with `next_cursor`: each page is fetched with the previous page's cursor
 * ("Load more" calls `fetchNextPage`). Returns the query and the items of the pages loaded so far.
 */
export function useCursorPages<Page extends CursorPage>(
  queryKey: QueryKey,
  fetchPage: (cursor: string | undefined) => Promise<Page>,
  options: { enabled?: boolean; refetchInterval?: number; keepPrevious?: boolean } = {},
) {
  const query = useInfiniteQuery({
    queryKey,
    enabled: options.enabled,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    refetchInterval: options.refetchInterval,
    placeholderData: options.keepPrevious ? keepPreviousData : undefined,
  });
  const items: Page['items'][number][] = query.data?.pages.flatMap((page) => page.items) ?? [];
  return [query, items] as const;
}
