// The IR and the validator speak FalCore (JSONValue, FieldPath, ValidationIssue, Rule).
@_exported import FalCore
