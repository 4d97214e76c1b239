/// Numbers from requests and documents are untrusted: `Int(someDouble)` traps on NaN, infinities and
/// anything outside `Int`'s range (one request with `"num_images": 1e300` used to take the emulator down).
/// Every conversion from a JSON number to an integer goes through here instead.
extension Int {
    /// `value` rounded toward zero and clamped into `range`; NaN gives the lower bound. Never traps.
    init(clamping value: Double, to range: ClosedRange<Int>) {
        if value.isNaN || value <= Double(range.lowerBound) {
            self = range.lowerBound
        } else if value >= Double(range.upperBound) {
            // Double(Int.max) rounds up to 2^63, so anything below it converts safely.
            self = range.upperBound
        } else {
            self = Int(value.rounded(.towardZero))
        }
    }
}

extension Duration {
    /// An untrusted count of seconds as a duration within `0...maximumSeconds` (NaN is zero). Never traps.
    static func seconds(clamping value: Double, maximum maximumSeconds: Int) -> Duration {
        .milliseconds(Int(clamping: value * 1000, to: 0...maximumSeconds * 1000))
    }
}
