import Foundation
import IngestCommon
internal import CLibXML2

/// An HTML page parsed by libxml2's HTML parser (recovering from the tag soup
/// real pages are), queried with XPath 1.0 or simple CSS selectors.
///
/// ```swift
/// let page = try HTMLDocument(artifact.bytes)
/// for row in try page.select("//table[@id='vacatures']/tbody/tr") {
///     let id = row.attributes["data-id"]
///     let title = try row.select("td[2]").first?.text
/// }
/// ```
/// Use it from one task at a time; elements keep the document alive.
public final class HTMLDocument {
    fileprivate let document: htmlDocPtr

    private static let initialized: Bool = {
        xmlInitParser()
        ingestkit_xml_silence()
        return true
    }()

    /// Parses HTML bytes (UTF-8 unless the page declares another charset).
    public init(_ data: Data, url: String? = nil) throws {
        _ = Self.initialized
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
            | HTML_PARSE_NONET.rawValue | HTML_PARSE_COMPACT.rawValue)
        let parsed: htmlDocPtr? = data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress, raw.count > 0 else { return nil }
            return htmlReadMemory(base.assumingMemoryBound(to: CChar.self), Int32(raw.count), url ?? "", "UTF-8", options)
        }
        guard let parsed else {
            throw IngestError("the HTML could not be parsed (\(data.count) bytes)", fix: "check that the artifact is an HTML page")
        }
        self.document = parsed
    }

    public convenience init(_ text: String) throws {
        try self.init(Data(text.utf8))
    }

    deinit { xmlFreeDoc(document) }

    /// Elements matching an XPath 1.0 expression, in document order.
    public func select(_ xpath: String) throws -> [HTMLElement] {
        try evaluate(xpath, at: nil).nodes
    }

    /// Elements matching a CSS selector (`tag`, `#id`, `.class`, `[attr]`, `[attr=value]`, descendant and `>` child combinators).
    public func select(css selector: String) throws -> [HTMLElement] {
        try select(CSSSelector.xpath(selector, relative: false))
    }

    /// The string value of an XPath expression (`string(//title)`, `count(//tr)`, …).
    public func string(_ xpath: String) throws -> String {
        try evaluate(xpath, at: nil).string
    }

    /// The `<title>` text, trimmed.
    public var title: String? {
        (try? string("normalize-space(//title)")).flatMap { $0.isEmpty ? nil : $0 }
    }

    fileprivate func evaluate(_ xpath: String, at node: xmlNodePtr?) throws -> (nodes: [HTMLElement], string: String) {
        guard let context = xmlXPathNewContext(document) else {
            throw IngestError("libxml2 could not create an XPath context", fix: "check free memory")
        }
        defer { xmlXPathFreeContext(context) }
        if let node { context.pointee.node = node }
        guard let result = xmlXPathEvalExpression(Array(xpath.utf8) + [0], context) else {
            throw IngestError("\"\(xpath)\" is not a valid XPath 1.0 expression", fix: "check the expression (e.g. //div[@class='x']/a)")
        }
        defer { xmlXPathFreeObject(result) }
        var nodes: [HTMLElement] = []
        if let set = result.pointee.nodesetval, set.pointee.nodeNr > 0, let table = set.pointee.nodeTab {
            for index in 0..<Int(set.pointee.nodeNr) {
                if let found = table[index] { nodes.append(HTMLElement(document: self, node: found)) }
            }
        }
        var text = ""
        if let cast = xmlXPathCastToString(result) {
            text = String(cString: cast)
            ingestkit_xml_free(cast)
        }
        return (nodes, text)
    }
}

/// A node of an `HTMLDocument` (usually an element; text and attribute nodes too when the XPath selects them).
public struct HTMLElement {
    private let document: HTMLDocument
    private let node: xmlNodePtr

    fileprivate init(document: HTMLDocument, node: xmlNodePtr) {
        self.document = document
        self.node = node
    }

    /// The tag name in lower case (`td`), or `text` / the attribute name for other nodes.
    public var name: String {
        node.pointee.name.map { String(cString: $0).lowercased() } ?? ""
    }

    /// All text inside, as in the DOM's `textContent` (entities decoded, not trimmed).
    public var text: String {
        guard let content = xmlNodeGetContent(node) else { return "" }
        defer { ingestkit_xml_free(content) }
        return String(cString: content)
    }

    /// The text with runs of white space collapsed and the ends trimmed.
    public var normalizedText: String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// The element's attributes (names in lower case).
    public var attributes: [String: String] {
        var out: [String: String] = [:]
        var attribute = node.pointee.properties
        while let current = attribute {
            if let name = current.pointee.name {
                var value = ""
                if let content = xmlNodeListGetString(document.document, current.pointee.children, 1) {
                    value = String(cString: content)
                    ingestkit_xml_free(content)
                }
                out[String(cString: name).lowercased()] = value
            }
            attribute = current.pointee.next
        }
        return out
    }

    public subscript(attribute name: String) -> String? { attributes[name.lowercased()] }

    /// The element's outer HTML.
    public var html: String {
        guard let buffer = xmlBufferCreate() else { return "" }
        defer { xmlBufferFree(buffer) }
        _ = htmlNodeDump(buffer, document.document, node)
        guard let content = xmlBufferContent(buffer) else { return "" }
        return String(cString: content)
    }

    /// Nodes matching an XPath expression relative to this element (`td[2]`, `.//a/@href`).
    public func select(_ xpath: String) throws -> [HTMLElement] {
        try document.evaluate(xpath, at: node).nodes
    }

    /// Descendants matching a CSS selector.
    public func select(css selector: String) throws -> [HTMLElement] {
        try select(CSSSelector.xpath(selector, relative: true))
    }

    /// The string value of an XPath expression relative to this element.
    public func string(_ xpath: String) throws -> String {
        try document.evaluate(xpath, at: node).string
    }
}

/// Translates the common subset of CSS selectors to XPath 1.0.
enum CSSSelector {
    static func xpath(_ selector: String, relative: Bool) throws -> String {
        let alternatives = selector.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !alternatives.isEmpty, alternatives.allSatisfy({ !$0.isEmpty }) else {
            throw IngestError("\"\(selector)\" is not a CSS selector", fix: "use e.g. table#vacatures > tbody > tr, or an XPath expression")
        }
        return try alternatives.map { try single($0, relative: relative, original: selector) }.joined(separator: " | ")
    }

    private static func single(_ selector: String, relative: Bool, original: String) throws -> String {
        // Tokens: compound selectors separated by white space (descendant) or `>` (child).
        var path = relative ? "." : ""
        var axis = "//"
        var compound = ""
        func flush() throws {
            guard !compound.isEmpty else { return }
            path += axis + (try step(compound, original: original))
            compound = ""
            axis = "//"
        }
        var inBracket = false
        for character in selector {
            if character == "[" { inBracket = true }
            if character == "]" { inBracket = false }
            if !inBracket && character == ">" {
                try flush()
                axis = "/"
            } else if !inBracket && character.isWhitespace {
                try flush()
            } else {
                compound.append(character)
            }
        }
        try flush()
        return path
    }

    private static func step(_ compound: String, original: String) throws -> String {
        var tag = "*"
        var predicates: [String] = []
        var index = compound.startIndex
        func read(until stops: Set<Character>) -> String {
            let start = index
            while index < compound.endIndex, !stops.contains(compound[index]) { index = compound.index(after: index) }
            return String(compound[start..<index])
        }
        let stops: Set<Character> = ["#", ".", "["]
        if compound[index] != "#" && compound[index] != "." && compound[index] != "[" {
            tag = read(until: stops).lowercased()
        }
        while index < compound.endIndex {
            let marker = compound[index]
            index = compound.index(after: index)
            switch marker {
            case "#":
                predicates.append("@id='\(read(until: stops))'")
            case ".":
                predicates.append("contains(concat(' ', normalize-space(@class), ' '), ' \(read(until: stops)) ')")
            case "[":
                let body = read(until: ["]"])
                guard index < compound.endIndex else {
                    throw IngestError("\"\(original)\" has an unclosed [", fix: "close the attribute selector")
                }
                index = compound.index(after: index)
                if let equals = body.firstIndex(of: "=") {
                    let name = body[..<equals].trimmingCharacters(in: .whitespaces)
                    var value = body[body.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                    if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                        value = String(value.dropFirst().dropLast())
                    }
                    predicates.append("@\(name)='\(value)'")
                } else {
                    predicates.append("@\(body.trimmingCharacters(in: .whitespaces))")
                }
            default:
                throw IngestError("\"\(original)\" is not a supported CSS selector", fix: "use tag, #id, .class, [attr=value], descendant or > combinators, or XPath")
            }
        }
        return tag + predicates.map { "[\($0)]" }.joined()
    }
}
