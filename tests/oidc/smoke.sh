#!/usr/bin/env bash
# End-to-end check of provider.mjs with curl + openssl only: discovery, authorization code + PKCE
# (S256) for alice, bob and gleb, token exchange, id token + userinfo claims, code replay.
# Usage: bash smoke.sh   (VERBOSE=1 prints every request's status and Location)
set -u
cd "$(dirname "$0")"
[ -d node_modules/oidc-provider ] || npm ci --silent --no-audit --no-fund

TMP=$(mktemp -d)
REDIRECT=http://127.0.0.1:9/cb
FAILED=0
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; FAILED=1; }
check() { # check NAME HAYSTACK NEEDLE
  if [[ "$2" == *"$3"* ]]; then pass "$1"; else fail "$1 (wanted $3 in: $2)"; fi
}
b64url_decode() { local s; s=$(printf %s "$1" | tr '_-' '/+'); while (( ${#s} % 4 )); do s+='='; done
  printf %s "$s" | openssl base64 -d -A; }
urlenc() { local s=$1 out= c i; for (( i = 0; i < ${#s}; i++ )); do c=${s:i:1}
  case $c in [a-zA-Z0-9.~_-]) out+=$c ;; *) out+=$(printf '%%%02X' "'$c") ;; esac; done; printf %s "$out"; }

# req METHOD URL [curl args...]: sets STATUS, LOCATION (absolute), BODY; never follows redirects.
req() {
  local method=$1 url=$2; shift 2
  local out
  out=$(curl -s -X "$method" -b "$JAR" -c "$JAR" -o "$TMP/body" -w '%{http_code} %{redirect_url}' "$@" "$url")
  STATUS=${out%% *}; LOCATION=${out#* }; BODY=$(cat "$TMP/body")
  [ -n "${VERBOSE:-}" ] && echo "  $method ${url#"$ISSUER"} -> $STATUS ${LOCATION#"$ISSUER"}" >&2
  return 0
}

# ---- start the provider on a free port and wait for its ready line --------------------------
node provider.mjs --port 0 --redirect-uri "$REDIRECT" >"$TMP/out" 2>"$TMP/err" &
PID=$!
for _ in $(seq 100); do grep -q '"ready":true' "$TMP/out" 2>/dev/null && break; sleep 0.1; done
READY=$(head -n1 "$TMP/out")
ISSUER=$(printf %s "$READY" | sed -n 's/.*"issuer":"\([^"]*\)".*/\1/p')
if [ -n "$ISSUER" ]; then pass "provider ready: $READY"; else fail "provider did not start: $(cat "$TMP/err")"; exit 1; fi

JAR=$TMP/jar0
req GET "$ISSUER/.well-known/openid-configuration"
check "discovery issuer" "$BODY" "\"issuer\":\"$ISSUER\""
check "discovery end_session_endpoint" "$BODY" "\"end_session_endpoint\":\"$ISSUER/session/end\""
check "discovery userinfo_endpoint" "$BODY" "\"userinfo_endpoint\":\"$ISSUER/me\""

# flow LOGIN: full authorization code + PKCE flow; sets CODE, IDTOKEN_PAYLOAD, USERINFO, NONCE.
flow() {
  local login=$1 verifier challenge state uid
  JAR=$TMP/jar-$login; : >"$JAR"
  verifier=$(openssl rand -base64 48 | tr '+/' '-_' | tr -d '=\n')
  challenge=$(printf %s "$verifier" | openssl dgst -sha256 -binary | openssl base64 -A | tr '+/' '-_' | tr -d '=')
  state=st-$RANDOM$RANDOM; NONCE=n-$RANDOM$RANDOM; CODE=
  local q="client_id=statuspass&response_type=code&scope=openid%20profile&redirect_uri=$(urlenc "$REDIRECT")"
  q+="&state=$state&nonce=$NONCE&code_challenge=$challenge&code_challenge_method=S256"

  req GET "$ISSUER/auth?$q"
  [[ $STATUS == 303 && $LOCATION == "$ISSUER/interaction/"* ]] || { fail "$login: authorize -> $STATUS $LOCATION"; return; }
  uid=${LOCATION##*/}
  req GET "$LOCATION"
  check "$login: login page" "$STATUS $BODY" "200 <!DOCTYPE html>"
  check "$login: login form" "$BODY" "action=\"/interaction/$uid/login\""
  req POST "$ISSUER/interaction/$uid/login" --data-urlencode "login=$login" --data-urlencode password=wrong
  check "$login: wrong password re-renders login page" "$STATUS $BODY" 'id="error"'
  req POST "$ISSUER/interaction/$uid/login" --data-urlencode "login=$login" --data-urlencode password=test
  [[ $STATUS == 303 && $LOCATION == "$ISSUER/auth/$uid" ]] || { fail "$login: login -> $STATUS $LOCATION"; return; }
  req GET "$LOCATION"
  [[ $STATUS == 303 && $LOCATION == "$ISSUER/interaction/"* ]] || { fail "$login: resume after login -> $STATUS $LOCATION"; return; }
  uid=${LOCATION##*/}
  req GET "$LOCATION"
  check "$login: consent page" "$STATUS $BODY" "action=\"/interaction/$uid/confirm\""
  req POST "$ISSUER/interaction/$uid/confirm"
  [[ $STATUS == 303 && $LOCATION == "$ISSUER/auth/$uid" ]] || { fail "$login: confirm -> $STATUS $LOCATION"; return; }
  req GET "$LOCATION"
  [[ $STATUS == 303 && $LOCATION == "$REDIRECT?"* ]] || { fail "$login: resume after consent -> $STATUS $LOCATION"; return; }
  CODE=$(printf %s "$LOCATION" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')
  check "$login: redirect has state" "$LOCATION" "state=$state"
  check "$login: redirect has iss" "$LOCATION" "iss=$(urlenc "$ISSUER")"
  [ -n "$CODE" ] && pass "$login: got code" || { fail "$login: no code in $LOCATION"; return; }

  TOKEN_FORM=(--data-urlencode grant_type=authorization_code --data-urlencode "code=$CODE"
    --data-urlencode "redirect_uri=$REDIRECT" --data-urlencode "code_verifier=$verifier")
  req POST "$ISSUER/token" -u statuspass:statuspass-test-secret "${TOKEN_FORM[@]}"
  check "$login: token exchange 200" "$STATUS" 200
  local access_token
  ID_TOKEN=$(printf %s "$BODY" | sed -n 's/.*"id_token":"\([^"]*\)".*/\1/p')
  access_token=$(printf %s "$BODY" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
  check "$login: id token header alg RS256" "$(b64url_decode "${ID_TOKEN%%.*}")" '"alg":"RS256"'
  IDTOKEN_PAYLOAD=$(b64url_decode "$(printf %s "$ID_TOKEN" | cut -d. -f2)")
  check "$login: id token sub" "$IDTOKEN_PAYLOAD" "\"sub\":\"$login-sub\""
  check "$login: id token nonce" "$IDTOKEN_PAYLOAD" "\"nonce\":\"$NONCE\""
  check "$login: id token aud" "$IDTOKEN_PAYLOAD" '"aud":"statuspass"'
  req GET "$ISSUER/me" -H "authorization: Bearer $access_token"
  check "$login: userinfo 200" "$STATUS" 200
  USERINFO=$BODY
  req POST "$ISSUER/token" -u statuspass:statuspass-test-secret "${TOKEN_FORM[@]}"
  check "$login: replayed code refused" "$STATUS $BODY" '400 {"error":"invalid_grant"'
}

flow alice
for where in "id token" userinfo; do
  [ "$where" = userinfo ] && json=$USERINFO || json=$IDTOKEN_PAYLOAD
  check "alice: $where trusted" "$json" '"trusted":true'
  check "alice: $where snils" "$json" '"snils":"112-233-445 95"'
  check "alice: $where name" "$json" '"name":"Иванов Иван Иванович"'
  check "alice: $where birthdate" "$json" '"birthdate":"1985-03-14"'
done

# RP-initiated logout for alice (same cookie jar): GET end_session -> 200 page with the xsrf
# form -> POST xsrf + logout=yes -> 303 to post_logout_redirect_uri?state=...; then SSO is gone.
req GET "$ISSUER/session/end?id_token_hint=$ID_TOKEN&post_logout_redirect_uri=$(urlenc http://127.0.0.1:9/)&state=bye"
XSRF=$(printf %s "$BODY" | sed -n 's/.*name="xsrf" value="\([^"]*\)".*/\1/p')
check "alice: logout page has xsrf form" "$STATUS $XSRF" "200 ${XSRF:-missing}"
req POST "$ISSUER/session/end/confirm" --data-urlencode "xsrf=$XSRF" --data-urlencode logout=yes
check "alice: logout confirm redirects" "$STATUS $LOCATION" "303 http://127.0.0.1:9/?state=bye"
req GET "$ISSUER/auth?client_id=statuspass&response_type=code&scope=openid&redirect_uri=$(urlenc "$REDIRECT")&code_challenge=$(printf %043d 0)&code_challenge_method=S256"
check "alice: after logout authorize asks to log in again" "$STATUS $LOCATION" "303 $ISSUER/interaction/"

flow bob
check "bob: id token trusted false" "$IDTOKEN_PAYLOAD" '"trusted":false'
check "bob: userinfo trusted false" "$USERINFO" '"trusted":false'
check "bob: userinfo snils" "$USERINFO" '"snils":"12345678964"'

flow gleb
check "gleb: id token family_name" "$IDTOKEN_PAYLOAD" '"family_name":"Кузнецов"'
if [[ "$IDTOKEN_PAYLOAD$USERINFO" != *birthdate* ]]; then pass "gleb: no birthdate"; else fail "gleb: birthdate present"; fi

if [ "$FAILED" = 0 ]; then echo "ALL PASS"; else echo "SOME FAILED"; fi
exit "$FAILED"
