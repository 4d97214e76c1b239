import FalCore

/// A Platform API answer that carries `next_cursor`: nil (or absent) on the last page.
public protocol FalPlatformPage: Sendable {
    /// The cursor of the next page; nil when there is none.
    var nextCursor: String? { get }
}

/// Every page of a cursor-paged Platform API operation, requested one at a time as iteration reaches it
/// (`usage`, `analytics`: the pages themselves are what matters). Stops after the page without `next_cursor`;
/// a server that hands out a cursor it already gave ends iteration with `FalError.decoding`, rather than looping.
public struct FalPlatformPages<Page: FalPlatformPage>: AsyncSequence, Sendable {
    /// Each element is one page.
    public typealias Element = Page
    /// Iterating throws only `FalError`.
    public typealias Failure = FalError
    let fetch: @Sendable (_ cursor: String?) async throws(FalError) -> Page

    /// Pages from `fetch`, called with nil first and then with each page's `nextCursor`.
    package init(fetch: @escaping @Sendable (_ cursor: String?) async throws(FalError) -> Page) { self.fetch = fetch }

    /// Requests the next page when asked.
    public struct AsyncIterator: AsyncIteratorProtocol {
        /// Each element is one page.
        public typealias Element = Page
        /// `next()` throws only `FalError`.
        public typealias Failure = FalError
        let fetch: @Sendable (_ cursor: String?) async throws(FalError) -> Page
        var cursor: String?
        var seen: Set<String> = []
        var finished = false

        /// The next page, or nil after the last.
        public mutating func next() async throws(FalError) -> Page? {
            guard !finished else { return nil }
            let page: Page
            do { page = try await fetch(cursor) } catch {
                finished = true
                throw error
            }
            guard let next = page.nextCursor, !next.isEmpty else {
                finished = true
                return page
            }
            // Bounded: a cursor seen before would repeat pages forever. The set holds one string per page read.
            guard seen.insert(next).inserted else {
                finished = true
                throw FalError.decoding(path: "next_cursor", message: "the server returned cursor \(next.debugDescription) a second time")
            }
            cursor = next
            return page
        }
    }

    /// An iterator that starts at the first page.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(fetch: fetch) }
}

/// The items of every page of a cursor-paged Platform API operation, one at a time (`models`, `billingEvents`,
/// `requestsByEndpoint`, `searchRequests`). A page is requested only when the items before it were consumed:
/// stop iterating and no further request is made.
public struct FalPlatformItems<Page: FalPlatformPage, Item: Sendable>: AsyncSequence, Sendable {
    /// Each element is one item of a page.
    public typealias Element = Item
    /// Iterating throws only `FalError`.
    public typealias Failure = FalError
    let pages: FalPlatformPages<Page>
    let items: @Sendable (Page) -> [Item]

    /// The `items` of each of `pages`.
    package init(pages: FalPlatformPages<Page>, items: @escaping @Sendable (Page) -> [Item]) {
        self.pages = pages
        self.items = items
    }

    /// Hands out a page's items, then requests the next page.
    public struct AsyncIterator: AsyncIteratorProtocol {
        /// Each element is one item of a page.
        public typealias Element = Item
        /// `next()` throws only `FalError`.
        public typealias Failure = FalError
        var pages: FalPlatformPages<Page>.AsyncIterator
        let items: @Sendable (Page) -> [Item]
        var buffered: [Item] = []
        var position = 0

        /// The next item, or nil after the last page's last item.
        public mutating func next() async throws(FalError) -> Item? {
            while position == buffered.count {
                guard let page = try await pages.next() else { return nil }
                buffered = items(page)
                position = 0
            }
            defer { position += 1 }
            return buffered[position]
        }
    }

    /// An iterator that starts at the first page.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(pages: pages.makeAsyncIterator(), items: items) }

    /// The pages themselves, each with its cursor and `hasMore`.
    public var byPage: FalPlatformPages<Page> { pages }
}
