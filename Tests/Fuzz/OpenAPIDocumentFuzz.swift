// libFuzzer target: fal OpenAPI documents as bytes, mutated by libFuzzer itself (seeded with real documents,
// Tests/Fuzz/corpus/openapi-documents), through the generator's whole input path (OpenAPIFuzzSupport.swift), diffed against the seed
// document with its endpoint id (or the first seed).
import FalCodegen
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOpenAPIDocument(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: bytes, count: count)
    OpenAPIPipeline.run(data, name: "fuzz.json", baseline: Seeds.baseline(for:))
    return 0
}
