//! Reading a paged DMS list to its end: for exports, for sorting a whole list, and for lists
//! the API cannot filter. Pages are read one after the other (a list's total is only known
//! from its first answer), up to a limit on the rows read, and the caller learns whether the
//! walk stopped early.

use std::future::Future;

use futures_util::Stream;

use super::ApiError;

/// One page of a list: its rows and the list's total, when DMS says it.
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// The whole list's length.
    pub total: Option<u64>,
}

/// A whole list read page by page.
pub struct Walked<T> {
    /// Every row read.
    pub items: Vec<T>,
    /// The list's length as DMS reported it.
    pub total: Option<u64>,
    /// Whether the walk stopped at `max_items` before the end.
    pub truncated: bool,
}

/// Reads pages of `page_size` rows with `fetch(offset, limit)` until a short page, the
/// reported total, or `max_items` rows.
pub async fn collect<T, F, Fut>(
    page_size: u32,
    max_items: usize,
    mut fetch: F,
) -> Result<Walked<T>, ApiError>
where
    F: FnMut(u32, u32) -> Fut,
    Fut: Future<Output = Result<Page<T>, ApiError>>,
{
    let mut items = Vec::new();
    let mut total = None;
    let mut offset = 0u32;
    loop {
        let page = fetch(offset, page_size).await?;
        let count = page.items.len();
        total = page.total.or(total);
        items.extend(page.items);
        offset = offset.saturating_add(count as u32);
        let at_end = count < page_size as usize
            || count == 0
            || total.is_some_and(|t| u64::from(offset) >= t);
        if at_end {
            return Ok(Walked {
                items,
                total,
                truncated: false,
            });
        }
        if items.len() >= max_items {
            items.truncate(max_items);
            return Ok(Walked {
                items,
                total,
                truncated: true,
            });
        }
    }
}

/// Like [`collect`], but once the first page has told the list's length, reads the other
/// pages `concurrency` at a time (in order). Without a length it reads page after page.
pub async fn collect_concurrent<T, F, Fut>(
    page_size: u32,
    max_items: usize,
    concurrency: usize,
    fetch: F,
) -> Result<Walked<T>, ApiError>
where
    F: Fn(u32, u32) -> Fut,
    Fut: Future<Output = Result<Page<T>, ApiError>>,
{
    use futures_util::StreamExt;
    let first = fetch(0, page_size).await?;
    let Some(total) = first.total else {
        // Rare (DMS lists report their length): read page after page from the start.
        return collect(page_size, max_items, fetch).await;
    };
    let wanted = (total.min(max_items as u64)) as u32;
    let mut items = first.items;
    let offsets: Vec<u32> = (1..)
        .map(|n| n * page_size)
        .take_while(|offset| *offset < wanted)
        .collect();
    let pages: Vec<Result<Page<T>, ApiError>> = futures_util::stream::iter(offsets)
        .map(|offset| fetch(offset, page_size))
        .buffered(concurrency.max(1))
        .collect()
        .await;
    for page in pages {
        items.extend(page?.items);
    }
    let truncated = total > max_items as u64;
    items.truncate(max_items);
    Ok(Walked {
        items,
        total: Some(total),
        truncated,
    })
}

/// The rows of a list as a stream, read a page at a time with `fetch(offset, limit)`, at most
/// `max_items`; a failure ends the stream with the error.
pub fn stream<T, F, Fut>(
    page_size: u32,
    max_items: usize,
    fetch: F,
) -> impl Stream<Item = Result<T, ApiError>>
where
    T: 'static,
    F: Fn(u32, u32) -> Fut + 'static,
    Fut: Future<Output = Result<Page<T>, ApiError>>,
{
    struct State<F> {
        fetch: F,
        offset: u32,
        done: bool,
    }
    let pages = futures_util::stream::unfold(
        State {
            fetch,
            offset: 0,
            done: false,
        },
        move |mut state| async move {
            if state.done || state.offset as usize >= max_items {
                return None;
            }
            match (state.fetch)(state.offset, page_size).await {
                Ok(page) => {
                    let count = page.items.len() as u32;
                    state.offset = state.offset.saturating_add(count);
                    state.done = count < page_size
                        || page.total.is_some_and(|t| u64::from(state.offset) >= t);
                    if count == 0 {
                        return None;
                    }
                    let rows: Vec<Result<T, ApiError>> = page.items.into_iter().map(Ok).collect();
                    Some((futures_util::stream::iter(rows), state))
                }
                Err(error) => {
                    state.done = true;
                    Some((futures_util::stream::iter(vec![Err(error)]), state))
                }
            }
        },
    );
    futures_util::StreamExt::flatten(pages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    async fn numbers(offset: u32, limit: u32, total: u32) -> Result<Page<u32>, ApiError> {
        Ok(Page {
            items: (offset..(offset + limit).min(total)).collect(),
            total: Some(u64::from(total)),
        })
    }

    #[tokio::test]
    async fn a_walk_reads_to_the_end_or_stops_at_its_limit() {
        let all = collect(10, 1000, |o, l| numbers(o, l, 25)).await.unwrap();
        assert_eq!(all.items.len(), 25);
        assert!(!all.truncated);
        let some = collect(10, 15, |o, l| numbers(o, l, 25)).await.unwrap();
        assert_eq!(some.items.len(), 15);
        assert!(some.truncated);
        let exact = collect(10, 1000, |o, l| numbers(o, l, 20)).await.unwrap();
        assert_eq!(exact.items, (0..20).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_concurrent_walk_reads_every_page_in_order_up_to_its_limit() {
        let all = collect_concurrent(10, 1000, 4, |o, l| numbers(o, l, 95))
            .await
            .unwrap();
        assert_eq!(all.items, (0..95).collect::<Vec<_>>());
        assert!(!all.truncated);
        let some = collect_concurrent(10, 35, 4, |o, l| numbers(o, l, 95))
            .await
            .unwrap();
        assert_eq!(some.items, (0..35).collect::<Vec<_>>());
        assert!(some.truncated);
        assert_eq!(some.total, Some(95));
    }

    #[tokio::test]
    async fn a_stream_yields_every_row_in_order() {
        let rows: Vec<u32> = stream(7, 1000, |o, l| numbers(o, l, 30))
            .map(|r| r.unwrap())
            .collect()
            .await;
        assert_eq!(rows, (0..30).collect::<Vec<_>>());
    }
}
