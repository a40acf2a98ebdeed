import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// The fetcher against a server that fails on purpose: transient failures are retried,
/// the rest fail at once, and every failure says what happened. Serialized: each test is about
/// timeouts, and its own requests should not compete with the others'.
@Suite(.serialized) struct FaultInjectionTests {
    // Generous for answers that come at once (the machine may be busy); short only where a test waits for a timeout.
    let fetcher = HTTPFetcher(timeout: .seconds(60), retry: fastRetry)
    /// Times out a deliberately slow answer (30 s) with room for a normal one on a busy machine.
    let impatient = HTTPFetcher(timeout: .seconds(10), retry: fastRetry)
    /// For tests about what is retried, not about the bound: a bound no busy machine reaches
    /// (three local answers once took 60.5 s of the 60 s bound at a load average of 25).
    let patient = HTTPFetcher(timeout: .seconds(60), retry: .fast(within: .seconds(600)))

    @Test func retriesServerErrorsAndTooManyRequestsThenSucceeds() async throws {
        let server = try await TestServer.start { _, call, _ in
            switch call {
            case 1: return .json(#"{"error": "boom"}"#, status: 500)
            case 2: return .json("{}", status: 503)
            case 3: return LoopbackHTTPServer.Response(status: 429, headers: [("Retry-After", "0")], body: Data())
            default: return .json(#"{"ok": true}"#)
            }
        }
        defer { Task { await server.stop() } }
        let response = try await patient.get(server.baseURL + "/x")
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"ok": true}"#)
        #expect(await server.count("/x") == 4)
    }

    @Test func honoursRetryAfterInSeconds() async throws {
        let server = try await TestServer.start { _, call, _ in
            call == 1 ? LoopbackHTTPServer.Response(status: 429, headers: [("Retry-After", "1")], body: Data()) : .json("[]")
        }
        defer { Task { await server.stop() } }
        #expect(try await fetcher.get(server.baseURL + "/x").status == 200)
        #expect(await server.count("/x") == 2)
    }

    @Test func aRetryAfterPastTheBoundGivesUpAtOnce() async throws {
        let date = Date().addingTimeInterval(3600)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        for retryAfter in ["120", formatter.string(from: date)] {
            let server = try await TestServer.start { _, _, _ in
                LoopbackHTTPServer.Response(status: 503, headers: [("Retry-After", retryAfter)], body: Data())
            }
            let error = await #expect(throws: IngestError.self) { try await fetcher.get(server.baseURL + "/x") }
            let text = error?.description ?? ""
            #expect(text.contains("answered 503"), "\(text)")
            #expect(text.contains("the server asked to wait"), "\(text)")
            #expect(text.contains("past the retry bound"), "\(text)")
            #expect(await server.count("/x") == 1, "no retry sooner than the server asked")
            await server.stop()
        }
    }

    @Test func givesUpAfterTheLastAttempt() async throws {
        let server = try await TestServer.start { _, _, _ in .json("{}", status: 502) }
        defer { Task { await server.stop() } }
        let error = await #expect(throws: IngestError.self) { try await fetcher.get(server.baseURL + "/x") }
        #expect(error?.message.contains("answered 502; gave up after 4 attempt(s)") == true, "\(error?.description ?? "")")
        #expect(error?.fix?.contains("reachable") == true)
        #expect(await server.count("/x") == 4)
    }

    @Test func givesUpWithinTheTotalBound() async throws {
        // Many attempts allowed, but only 2 s in all: answers slower than the timeout use the bound up.
        let bounded = HTTPFetcher(timeout: .seconds(1),
                                  retry: RetryPolicy(maxAttempts: 100, initialDelay: .milliseconds(10), maxDelay: .milliseconds(10),
                                                     maxTotalDelay: .milliseconds(1500)))
        let server = try await TestServer.start { _, _, _ in
            try? await Task.sleep(for: .seconds(6))
            return .json("{}")
        }
        defer { Task { await server.stop() } }
        let error = await #expect(throws: IngestError.self) { try await bounded.get(server.baseURL + "/slow") }
        #expect(error?.message.contains("did not answer within 1.0s") == true, "\(error?.description ?? "")")
        #expect(error?.message.contains("past the retry bound of 1.5s") == true, "\(error?.description ?? "")")
        let calls = await server.count("/slow")
        #expect(calls >= 1 && calls <= 2, "the bound stops the retries: \(calls)")
    }

    @Test func aSlowAnswerTimesOutAndIsRetried() async throws {
        let server = try await TestServer.start { _, call, _ in
            if call == 1 { try? await Task.sleep(for: .seconds(30)) }
            return .json(#"{"call": \#(call)}"#)
        }
        defer { Task { await server.stop() } }
        let response = try await impatient.get(server.baseURL + "/x")
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"call": 2}"#)
        #expect(await server.count("/x") == 2)
    }

    @Test func aTruncatedBodyIsRetried() async throws {
        let body = Data(page(0, 20).utf8)
        let server = try await TestServer.start { _, call, _ in
            LoopbackHTTPServer.Response(headers: [("Content-Type", "application/json")], body: body,
                                        fault: call == 1 ? .truncate(afterBytes: 40) : nil)
        }
        defer { Task { await server.stop() } }
        let response = try await fetcher.get(server.baseURL + "/x")
        #expect(response.body == body, "the whole body, not the cut-off one")
        #expect(await server.count("/x") == 2)
    }

    @Test func aDroppedConnectionIsRetried() async throws {
        let server = try await TestServer.start { _, call, _ in
            call == 1 ? LoopbackHTTPServer.Response(body: Data(), fault: .dropConnection) : .json("[1]")
        }
        defer { Task { await server.stop() } }
        let response = try await fetcher.get(server.baseURL + "/x")
        #expect(String(decoding: response.body, as: UTF8.self) == "[1]")
        #expect(await server.count("/x") >= 2)
    }

    @Test func alwaysCutOffFailsClearly() async throws {
        let server = try await TestServer.start { _, _, _ in
            LoopbackHTTPServer.Response(body: Data(page(0, 20).utf8), fault: .truncate(afterBytes: 10))
        }
        defer { Task { await server.stop() } }
        let error = await #expect(throws: IngestError.self) { try await fetcher.get(server.baseURL + "/x") }
        #expect(error?.message.contains("the body was cut off") == true, "\(error?.description ?? "")")
        #expect(error?.message.contains("gave up after 4 attempt(s)") == true)
        #expect(await server.count("/x") == 4)
    }

    static let statusWords = [401: " (not authorized)", 403: " (forbidden)", 404: " (not found)"]

    @Test(arguments: [400, 401, 403, 404, 422])
    func otherClientErrorsAreNotRetried(_ status: Int) async throws {
        let server = try await TestServer.start { _, _, _ in .json(#"{"detail": "no"}"#, status: status) }
        defer { Task { await server.stop() } }
        let error = await #expect(throws: IngestError.self) { try await fetcher.get(server.baseURL + "/x") }
        #expect(error?.message.contains("GET \(server.baseURL)/x answered \(status)") == true, "\(error?.description ?? "")")
        #expect(error?.message.hasSuffix("answered \(status)\(Self.statusWords[status] ?? ""): no") == true,
                "the server's reason is shown (its JSON error's detail): \(error?.description ?? "")")
        #expect(error?.fix != nil)
        let calls = await server.requests.map { "\($0.method) \($0.path) \($0.query)" }
        #expect(calls.count == 1, "\(calls)")
    }

    @Test func aResponseOverTheSizeLimitFails() async throws {
        let small = HTTPFetcher(timeout: .seconds(60), maxResponseBytes: 1_000, retry: fastRetry)
        let server = try await TestServer.start { _, _, _ in .json(page(0, 50)) }
        defer { Task { await server.stop() } }
        let error = await #expect(throws: IngestError.self) { try await small.get(server.baseURL + "/big") }
        #expect(error?.message.contains("more than 1000 bytes, the response size limit") == true, "\(error?.description ?? "")")
        #expect(await server.count("/big") == 1)
    }

    @Test func errorsAndLogsNeverShowTheToken() async throws {
        let token = "tok-secret-\(UUID().uuidString.prefix(8))"
        let settings = Settings(values: ["T": token])
        _ = settings.secret("T")
        let server = try await TestServer.start { request, _, _ in
            .json(#"{"detail": "bad token \#(request.header("Authorization") ?? "")"}"#, status: 401)
        }
        defer { Task { await server.stop() } }
        let error = await #expect(throws: IngestError.self) {
            try await fetcher.get(server.baseURL + "/x?access_token=\(token)", headers: [("Authorization", "Bearer \(token)")])
        }
        let text = error?.description ?? ""
        #expect(!text.contains(token), "\(text)")
        #expect(text.contains("***"))
        #expect(redactedHeaders([("Authorization", "Bearer \(token)"), ("Accept", "x")]).map(\.1) == ["***", "x"])
    }
}
