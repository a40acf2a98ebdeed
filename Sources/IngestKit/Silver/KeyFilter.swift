/// The keys a first load has copied so far, as a Bloom filter of fixed size: it answers
/// "certainly new" or "maybe met before", in the same memory for 1,000 keys or 50 million.
///
/// A first load (`PostgresCopyLoad`) copies a row straight into silver only when the filter
/// says its key is certainly new; a "maybe" goes to a table the server resolves at the end,
/// so a false "maybe" costs a little server work and never a wrong row. With the default
/// 2²⁶ bits (8 MB) and 4 probes a key, about 1 key in 90,000 is a false "maybe" after
/// 1,000,000 keys and about 1 in 230 after 5,000,000.
///
/// Keys are hashed as their UTF-8 bytes (PostgreSQL compares the canonical text byte for byte),
/// with Swift's per-process seeded hasher: the filter lives for one load only.
struct KeyFilter {
    /// Bits of a filter (a power of two); a test lowers it so that most keys come back "maybe".
    @TaskLocal static var defaultBits = 1 << 26
    static let probes = 4

    private var words: [UInt64]
    private let mask: UInt64

    init(bits: Int = defaultBits) {
        var size = 64
        while size < bits { size <<= 1 }
        words = [UInt64](repeating: 0, count: size / 64)
        mask = UInt64(size - 1)
    }

    /// Adds `key`; returns `true` when it was maybe added before, `false` when it certainly was not.
    mutating func insert(_ key: String) -> Bool {
        var key = key
        var hasher = Hasher()
        key.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        let hash = UInt64(bitPattern: Int64(hasher.finalize()))
        // Double hashing: probe i is h1 + i·h2 (h2 odd, so the probes differ).
        let h1 = hash
        let h2 = (hash >> 32 | hash << 32) | 1
        var seen = true
        for i in 0..<UInt64(Self.probes) {
            let bit = (h1 &+ i &* h2) & mask
            let word = Int(bit >> 6)
            let flag = UInt64(1) << (bit & 63)
            if words[word] & flag == 0 {
                seen = false
                words[word] |= flag
            }
        }
        return seen
    }
}
