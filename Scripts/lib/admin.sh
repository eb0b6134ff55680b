# The first admin of a coordinator cluster a script starts (sourced). Needs python3, and curl
# for the login.

# Writes a new password for the first admin to file $1 (mode 0600), for the founding
# coordinators' --bootstrap-admin-password-file: 32 hex digits from the system's CSPRNG,
# which pass the password policy (Docs/ACCESS.md).
write_admin_password() {
    (umask 077 && python3 -c 'import secrets; print(secrets.token_hex(16))' >"$1")
}

# Logs user admin in with the password in file $1 at API URL $2 (CA certificate $3) and
# prints the token; prints nothing when the login fails. The password goes to curl on
# standard input, never on a command line.
admin_login() {
    local answer
    answer="$(printf '{"username":"admin","password":"%s"}' "$(cat "$1")" |
        curl -s --max-time 5 --cacert "$3" -H 'Content-Type: application/json' --data-binary @- "$2/api/v1/auth/login")" ||
        return 0
    python3 -c 'import json, sys
try:
    print(json.load(sys.stdin).get("token", ""))
except (ValueError, AttributeError):
    pass' <<<"${answer}"
}
