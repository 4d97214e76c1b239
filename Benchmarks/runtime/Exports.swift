// The benchmark helpers every benchmark file uses (child servers, commands, errors).
@_exported import BenchmarkSupport
