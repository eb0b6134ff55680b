# Reading JSON answers in scripts (sourced). Needs python3.

# Prints field $1 of the JSON object on standard input ("a.b" for nested keys); nothing when the
# input is not JSON or has no such field.
json_field() {
    python3 -c 'import json, sys
try:
    value = json.load(sys.stdin)
except ValueError:
    value = None
for key in sys.argv[1].split("."):
    value = value.get(key) if isinstance(value, dict) else None
print("" if value is None else value)' "$1"
}
