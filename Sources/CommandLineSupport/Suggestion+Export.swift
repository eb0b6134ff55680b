// "Did you mean" lives in Primitives, so the pure targets (an API body's unknown field names)
// share it with the parser; the command line keeps using it unqualified.
@_exported import enum Primitives.Suggestion
