import FalCore
import FalEmulator
import Foundation
import Testing

@Suite struct StorageRouteTests {
    static func token(_ base: String) async throws -> (token: String, baseURL: String) {
        let answer = try await TestHTTP.json("POST", "\(base)/rest/storage/auth/token?storage_type=fal-cdn-v3", [:])
        guard answer.status == 200, let json = answer.json, let token = json["token"]?.stringValue, let url = json["base_url"]?.stringValue else {
            throw FixtureError("token answered \(answer.status): \(answer.text)")
        }
        return (token, url)
    }

    @Test func tokenHasFalsShape() async throws {
        try await EmulatorFixture.with { _, base in
            let answer = try await TestHTTP.send("GET", "\(base)/rest/storage/auth/token?storage_type=fal-cdn-v3")
            let json = try #require(answer.json)
            #expect(json["token_type"] == "Bearer")
            #expect(json["base_url"]?.stringValue == "\(base)/cdn")
            #expect(json["expires_at"]?.stringValue?.hasSuffix("+00:00") == true)
            let anonymous = try await TestHTTP.send("GET", "\(base)/rest/storage/auth/token?storage_type=fal-cdn-v3", key: nil)
            #expect(anonymous.status == 401)
        }
    }

    @Test func directUploadIsServedBack() async throws {
        try await EmulatorFixture.with { _, base in
            let (token, cdn) = try await Self.token(base)
            let bytes = Data("hello fal".utf8)
            let upload = try await TestHTTP.send(
                "POST", "\(cdn)/files/upload", headers: ["Authorization": "Bearer \(token)", "Content-Type": "text/plain", "X-Fal-File-Name": "hello.txt"],
                body: bytes, key: nil)
            #expect(upload.status == 200)
            let url = try #require(upload.json?["access_url"]?.stringValue)
            #expect(url.hasPrefix("\(base)/cdn/files/") && url.hasSuffix("/hello.txt"))
            let download = try await TestHTTP.send("GET", url, key: nil)
            #expect(download.body == bytes)
            #expect(download.header("content-type") == "text/plain")
            let badToken = try await TestHTTP.send("POST", "\(cdn)/files/upload", headers: ["Authorization": "Bearer forged"], body: bytes, key: nil)
            #expect(badToken.status == 401)
        }
    }

    @Test func initiateThenSignedPut() async throws {
        try await EmulatorFixture.with { _, base in
            let initiate = try await TestHTTP.json("POST", "\(base)/rest/storage/upload/initiate?storage_type=gcs", ["file_name": "cat.png", "content_type": "image/png"])
            #expect(initiate.status == 200)
            let uploadURL = try #require(initiate.json?["upload_url"]?.stringValue)
            let fileURL = try #require(initiate.json?["file_url"]?.stringValue)
            #expect(uploadURL.hasPrefix(base) && fileURL.hasPrefix(base))
            let bytes = Data((0..<1000).map { UInt8($0 % 251) })
            let put = try await TestHTTP.send("PUT", uploadURL, headers: ["Content-Type": "image/png"], body: bytes, key: nil)
            #expect(put.status == 200)
            let reused = try await TestHTTP.send("PUT", uploadURL, body: bytes, key: nil)
            #expect(reused.status == 403)
            let download = try await TestHTTP.send("GET", fileURL, key: nil)
            #expect(download.body == bytes && download.header("content-type") == "image/png")
        }
    }

    @Test func multipartUploadJoinsPartsInOrder() async throws {
        try await EmulatorFixture.with { _, base in
            let (token, cdn) = try await Self.token(base)
            let auth = ["Authorization": "Bearer \(token)"]
            let begin = try await TestHTTP.send(
                "POST", "\(cdn)/files/upload/multipart", headers: auth.merging(["Content-Type": "application/zip", "X-Fal-File-Name": "big.zip"]) { $1 }, key: nil)
            let accessURL = try #require(begin.json?["access_url"]?.stringValue)
            let uploadID = try #require(begin.json?["uploadId"]?.stringValue)
            let parts = (1...3).map { Data(repeating: UInt8($0), count: 1000 * $0) }
            var listed: [JSONValue] = []
            for (number, part) in zip(1..., parts).reversed() {
                let put = try await TestHTTP.send("PUT", "\(accessURL)/multipart/\(uploadID)/\(number)", headers: auth, body: part, key: nil)
                #expect(put.status == 200)
                let etag = try #require(put.header("etag"))
                listed.append(["partNumber": .int(number), "etag": .string(etag)])
            }
            let complete = try await TestHTTP.json("POST", "\(accessURL)/multipart/\(uploadID)/complete", ["parts": .array(listed)], headers: auth, key: nil)
            #expect(complete.status == 200)
            let download = try await TestHTTP.send("GET", accessURL, key: nil)
            #expect(download.body == parts.reduce(Data(), +))
            #expect(download.header("content-type") == "application/zip")
            let twice = try await TestHTTP.json("POST", "\(accessURL)/multipart/\(uploadID)/complete", ["parts": .array(listed)], headers: auth, key: nil)
            #expect(twice.status == 400)
        }
    }

    @Test func missingFileIs404() async throws {
        try await EmulatorFixture.with { _, base in
            let answer = try await TestHTTP.send("GET", "\(base)/cdn/files/nothing/here.png", key: nil)
            #expect(answer.status == 404)
        }
    }
}
