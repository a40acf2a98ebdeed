import IngestCommon
import Testing

@Suite struct IdentifierTests {
    @Test(arguments: ["orders", "acme_portal", "_tmp", "a1_b2"])
    func acceptsSnakeCase(_ name: String) {
        #expect(Identifier.isSafe(name))
    }

    @Test(arguments: ["orders; drop table x", "Orders", "1st", "", "with space", "quote\"d", String(repeating: "a", count: 64)])
    func refusesUnsafeNames(_ name: String) {
        #expect(!Identifier.isSafe(name))
    }

    @Test func suggestsASafeName() {
        #expect(Identifier.suggestion(for: "orders; drop table x") == "orders_drop_table_x")
        #expect(Identifier.suggestion(for: "createdAt") == "created_at")
        #expect(Identifier.isSafe(Identifier.suggestion(for: "9 lives!")))
    }
}
