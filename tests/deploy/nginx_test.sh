#!/usr/bin/env bash
# kho deployed as deploy/ says: Debian's nginx on loopback, with TLS, in front
# of `kho serve --trusted-proxy 127.0.0.1`, run from deploy/nginx-kho.conf with
# only its lines marked "test:" rewritten. Usage: nginx_test.sh KHO_BINARY SOURCE_DIR
set -euo pipefail
kho=$1 src=$2
work=$(mktemp -d /tmp/kho-deploy-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  sleep 0.2
  rm -rf "$work"
}
trap cleanup EXIT
passed=0 failed=0
check() {  # check NAME COMMAND...: one assertion, reported either way
  local name=$1
  shift
  if "$@"; then passed=$((passed + 1)); echo "ok: $name"
  else failed=$((failed + 1)); echo "FAILED: $name"; fi
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A library: a public document, a larger public file, an account.
data=$work/data
"$kho" --data "$data" init >/dev/null
"$kho" --data "$data" school add THCS-MT "Trường THCS Mỹ Thành" >/dev/null
echo 'mat-khau-dung-1' | "$kho" --data "$data" user add lan --role THCS-MT=teacher >/dev/null
awk 'BEGIN { for (i = 1; i <= 60000; i++) print "Dòng " i ": sổ gốc cấp bằng tốt nghiệp trung học cơ sở năm học 2022-2023 của trường THCS Mỹ Thành" }' \
  > "$work/lon.txt"  # 7.6 MB
big_id=$("$kho" --data "$data" import --json --visibility public --school THCS-MT "$work/lon.txt" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["imported"][0]["id"])')
"$kho" --data "$data" import --visibility public --school THCS-MT \
  "$src/samples/ke-hoach-44-KH-PGDDT.pdf" >/dev/null

kho_port=$(free_port) http_port=$(free_port) https_port=$(free_port)
"$kho" --data "$data" serve --listen "127.0.0.1:$kho_port" --trusted-proxy 127.0.0.1 \
  > "$work/kho.log" 2>&1 &
pids+=($!)

# nginx: the site as shipped, on loopback ports, with a self-signed certificate.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=kho.example.edu.vn \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
sed -e "s|server 127.0.0.1:8080;  # test: kho's port|server 127.0.0.1:$kho_port;|" \
    -e "s|listen 80;  .*|listen 127.0.0.1:$http_port;|" \
    -e "s|listen 443 ssl;  .*|listen 127.0.0.1:$https_port ssl;|" \
    -e "/# test: dropped/d" \
    -e "s|ssl_certificate .*|ssl_certificate $work/cert.pem;|" \
    -e "s|ssl_certificate_key .*|ssl_certificate_key $work/key.pem;|" \
    "$src/deploy/nginx-kho.conf" > "$work/site.conf"
mkdir -p "$work/tmp"
{
  [[ $(id -u) -eq 0 ]] && echo "user root;"
  cat <<CONF
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 256; }
http {
  access_log $work/nginx-access.log;
  client_body_temp_path $work/tmp/body;
  proxy_temp_path $work/tmp/proxy;
  fastcgi_temp_path $work/tmp/fastcgi;
  uwsgi_temp_path $work/tmp/uwsgi;
  scgi_temp_path $work/tmp/scgi;
  include $work/site.conf;
}
CONF
} > "$work/nginx.conf"
nginx -t -q -c "$work/nginx.conf" -p "$work"
nginx -c "$work/nginx.conf" -p "$work" &
pids+=($!)
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$kho_port/healthz" && break; sleep 0.1; done

site=https://kho.example.edu.vn:$https_port
c() { curl -s -k --resolve "kho.example.edu.vn:$https_port:127.0.0.1" "$@"; }
status() { c -o /dev/null -w '%{http_code}' "$@"; }

check "plain HTTP is sent to HTTPS" \
  test "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -H 'Host: kho.example.edu.vn' "http://127.0.0.1:$http_port/healthz")" \
  = "301 https://kho.example.edu.vn/healthz"
check "/healthz answers through TLS" test "$(c "$site/healthz")" = '{"status":"ok"}'
check "a search answers through nginx" grep -q '"total"' <(c "$site/api/v1/search?q=ke+hoach")
check "a file comes through whole" cmp -s <(c "$site/api/v1/records/$big_id/file") "$work/lon.txt"
check "a byte range comes through as 206" \
  test "$(status -H 'Range: bytes=10-19' "$site/api/v1/records/$big_id/file")" = 206

# A login body of 100 KB is refused by nginx before kho reads it, in kho's JSON.
head -c 100000 /dev/zero | tr '\0' a > "$work/big-body"
code=$(c -o "$work/answer" -w '%{http_code}' -H 'Content-Type: application/json' \
  --data-binary "@$work/big-body" "$site/api/v1/login")
check "an oversized login body gets a JSON 413" grep -q "^413 .*\"too_large\"" <(echo "$code $(cat "$work/answer")")

# The client's own address reaches kho's audit log through X-Forwarded-For,
# and a forged X-Forwarded-For from the client is replaced, not believed.
c --interface 127.0.0.7 -H 'X-Forwarded-For: 203.0.113.9' -H 'Content-Type: application/json' \
  -d '{"name":"lan","password":"sai"}' -o /dev/null "$site/api/v1/login"
audit=$("$kho" --data "$data" audit --json)
check "the audit log names the client's address" grep -q '127.0.0.7' <<<"$audit"
check "a forged X-Forwarded-For is not believed" bash -c "! grep -q 203.0.113.9 <<<'$audit'"

# Five wrong passwords for made-up names behind one address do not lock out
# an account of that address.
for n in 1 2 3 4 5 6; do
  c --interface 127.0.0.8 -H 'Content-Type: application/json' -d "{\"name\":\"khong-co-$n\",\"password\":\"x\"}" \
    -o /dev/null "$site/api/v1/login"
done
headers=$(c --interface 127.0.0.8 -D - -o /dev/null -H 'Content-Type: application/json' \
  -d '{"name":"lan","password":"mat-khau-dung-1"}' "$site/api/v1/login")
check "made-up names do not lock out a real account behind the same address" grep -q '^HTTP/[0-9.]* 200' <<<"$headers"
check "the session cookie is Secure over HTTPS" grep -qi '^set-cookie: kho_session=.*; *Secure' <<<"$headers"

# A page of another site cannot make a signed-in browser change anything.
check "a cross-origin POST is refused" \
  test "$(status -H 'Origin: https://evil.example' -H 'Content-Type: application/json' -d '{"name":"lan","password":"x"}' "$site/api/v1/login")" = 403

# Two clients reading a large file at 1 KB/s do not stop kho answering.
for n in 1 2; do
  # curl itself in the background (not a function's subshell), so its pid is killed
  curl -s -k --resolve "kho.example.edu.vn:$https_port:127.0.0.1" --limit-rate 1k -o /dev/null \
    "$site/api/v1/records/$big_id/file" &
  pids+=($!)
done
sleep 2
check "/healthz answers within 2 s beside two slow readers" \
  test "$(c -m 2 "$site/healthz")" = '{"status":"ok"}'

if command -v systemd-analyze >/dev/null; then
  sed "s|/usr/local/bin/kho|$kho|" "$src/deploy/kho.service" > "$work/kho.service"
  check "the systemd unit is valid" systemd-analyze verify "$work/kho.service"
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
