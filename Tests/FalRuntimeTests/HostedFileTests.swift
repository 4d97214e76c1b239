import Foundation
import Testing
@testable import FalRuntime

/// The output file types (`FalImage`, `FalVideo`, `FalAudio`, `FalOutputFile`): a URL or inline bytes, decoded
/// and encoded without loss.
@Suite struct HostedFileTests {
    static let bytes = Data((0..<300).map { UInt8($0 % 256) })

    @Test("inline bytes: content holds them, url reads as their data: URI, and encoding writes the bytes once")
    func inlineBytes() throws {
        let json = #"{"content":"\#(Self.bytes.base64EncodedString())","content_type":"image/png","width":2}"#
        let image = try JSONDecoder().decode(FalImage.self, from: Data(json.utf8))
        #expect(image.content == Self.bytes)
        #expect(image.url == "data:image/png;base64,\(Self.bytes.base64EncodedString())")
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(image)) as? [String: Any]
        #expect(encoded?["url"] == nil)
        #expect(encoded?["content"] as? String == Self.bytes.base64EncodedString())
        #expect(try JSONDecoder().decode(FalImage.self, from: JSONEncoder().encode(image)) == image)
    }

    @Test("a URL stays the URL, with or without bytes beside it; setting url replaces it")
    func urlIsKept() throws {
        var video = try JSONDecoder().decode(FalVideo.self, from: Data(#"{"url":"https://v3.fal.media/a.mp4","fps":24,"num_frames":48}"#.utf8))
        #expect(video.url == "https://v3.fal.media/a.mp4" && video.content == nil && video.numFrames == 48)
        #expect(try JSONDecoder().decode(FalVideo.self, from: JSONEncoder().encode(video)) == video)
        video.url = "https://v3.fal.media/b.mp4"
        #expect(video.url == "https://v3.fal.media/b.mp4")
        let both = try JSONDecoder().decode(FalAudio.self, from: Data(#"{"url":"https://x/a.wav","content":"AAE=","sample_rate":8000}"#.utf8))
        #expect(both.url == "https://x/a.wav" && both.content == Data([0, 1]) && both.sampleRate == 8000)
        #expect(try JSONDecoder().decode(FalAudio.self, from: JSONEncoder().encode(both)) == both)
    }

    @Test("no url and no content is an error naming url; an unknown content type gives an octet-stream URI")
    func neitherIsAnError() throws {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(FalOutputFile.self, from: Data(#"{"file_name":"a"}"#.utf8)) }
        let file = try JSONDecoder().decode(FalOutputFile.self, from: Data(#"{"content":"AAE="}"#.utf8))
        #expect(file.url == "data:application/octet-stream;base64,AAE=")
    }
}
