import Foundation
import IngestKit
import IngestTesting

/// A small dataset for storage tests: pages of `{"results": [{"id", "name", "amount", "day"}]}` given in memory.
public struct ItemRow: Sendable, Hashable {
    public var id: String
    public var name: String?
    public var amount: Decimal?
    public var day: CalendarDate?
    public var active: Bool?
    public var quantity: Int?
}

public enum ItemsTable: SourceTableConfig {
    public static let sourceName = "fixture"
    public static let dataset = "items"
    public static let columns: [Column<ItemRow>] = [
        Column("id", \.id, primaryKey: true),
        Column("name", \.name, index: true),
        Column("amount", \.amount),
        Column("day", \.day),
        Column("active", \.active),
        Column("quantity", \.quantity),
        .bronzeObjectPath(),
        .checksum(),
        .ingestedAt(),
    ]
}

/// Serves the pages it is given, counting how often it is called.
public struct PagesExtractor: Extractor {
    public var pages: [String]
    public let calls: CallCounter

    public init(pages: [String], calls: CallCounter = CallCounter()) {
        self.pages = pages
        self.calls = calls
    }

    public func extract(_ context: ExtractionContext, into sink: ArtifactSink) async throws {
        await calls.increment()
        for (index, page) in pages.enumerated() {
            try await sink.store(RawArtifact(
                artifactId: "page_\(index + 1)", bytes: Data(page.utf8), url: "https://example.test/items?page=\(index + 1)",
                contentType: "application/json", extractionMethod: .apiJSON))
        }
    }
}

public actor CallCounter {
    public private(set) var count = 0
    public init() {}
    func increment() { count += 1 }
}

public struct ItemsParser: Parser {
    struct Page: Decodable { var results: [Item] }
    struct Item: Decodable { var id: String; var name: String?; var amount: String?; var day: String?; var active: Bool?; var quantity: Int? }

    public init() {}

    public func parse(_ artifact: StoredArtifact) throws -> [ItemRow] {
        try artifact.decodeJSON(Page.self).results.map {
            ItemRow(id: $0.id, name: $0.name, amount: $0.amount.flatMap(DecimalText.parse), day: $0.day.flatMap(CalendarDate.init(iso:)),
                    active: $0.active, quantity: $0.quantity)
        }
    }
}

/// `fixture.items`, serving the pages it is given.
public enum ItemsDataset {
    public static func make(pages: [String], calls: CallCounter = CallCounter()) -> Dataset {
        Dataset(table: ItemsTable.self, extractor: PagesExtractor(pages: pages, calls: calls), parse: .parser(ItemsParser()),
                watermark: .latest(\.day))
    }
}

/// JSON pages of `count` items split in pages of `pageSize`; `changed` ids get another name.
public func itemPages(count: Int, pageSize: Int = 50, changed: Set<Int> = []) -> [String] {
    stride(from: 0, to: count, by: pageSize).map { start in
        let items = (start..<min(count, start + pageSize)).map { i in
            let name = changed.contains(i) ? "item \(i) changed" : "item \(i)"
            return #"{"id": "I\#(i)", "name": "\#(name)", "amount": "\#(i).10", "day": "2025-01-\#(String(format: "%02d", i % 28 + 1))", "active": \#(i % 2 == 0), "quantity": \#(i)}"#
        }
        return #"{"results": [\#(items.joined(separator: ","))]}"#
    }
}

extension TestPlatform {
    /// Silver's `fixture.items` rows, by id.
    public func fixtureItems() async throws -> [String: ResultRow] {
        try await rows(of: "fixture.items", by: "id")
    }
}
