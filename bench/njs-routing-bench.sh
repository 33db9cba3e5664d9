#!/usr/bin/env bash
# What routing by model costs nginx: the same nginx proxies the same POST /api/chat to the same
# backend (a fixed answer nginx itself serves, so that nothing but the proxying is measured), once plainly (model-agnostic, as without njs) and once through the
# console's routing step (router.js reads the body's model, the map names the group, an internal
# redirect proxies it), in one run, with wrk. Prints throughput at 32 connections and p50 at one
# connection, with the ratio and the added p50.
#
#   bench/njs-routing-bench.sh                   # 10 s per measurement
#   BENCH_SECONDS=3 bench/njs-routing-bench.sh   # a quick run
#
# Needs nginx with njs (apt-get install nginx-light libnginx-mod-http-js) and wrk (apt-get install
# wrk). Every process it starts is stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SECONDS_PER=${BENCH_SECONDS:-10}
MODULE=/usr/lib/nginx/modules/ngx_http_js_module.so
say() { printf '%s\n' "$*" >&2; }

command -v wrk >/dev/null || { say "wrk is needed: apt-get install wrk"; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $NGINX && -f $MODULE ]] || { say "nginx with njs is needed: apt-get install nginx-light libnginx-mod-http-js"; exit 1; }

WORK=$(mktemp -d /tmp/njs-bench.XXXXXX)
cleanup() {
  [[ -f $WORK/nginx.pid ]] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
await_port() { for _ in $(seq 1 200); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

BACKEND=$(free_port); PLAIN=$(free_port); ROUTED=$(free_port)

cp app/main/resources/console/router.js "$WORK/router.js" # the console's own script
mkdir -p "$WORK/logs" "$WORK/temp"
# a map of 50 models, as a mid-sized cluster has: the routed request's model is the last one
MAP=$(for i in $(seq 1 49); do printf '        "model-%d" "@group";\n' "$i"; done)
cat >"$WORK/nginx.conf" <<CONF
load_module $MODULE;
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/logs/error.log warn;
events { worker_connections 4096; }
http {
    client_body_temp_path $WORK/temp/body; proxy_temp_path $WORK/temp/proxy; fastcgi_temp_path $WORK/temp/fcgi;
    uwsgi_temp_path $WORK/temp/uwsgi; scgi_temp_path $WORK/temp/scgi;
    access_log off;
    upstream backend { server 127.0.0.1:$BACKEND; keepalive 64; }
    upstream group { server 127.0.0.1:$BACKEND; keepalive 64; }
    js_import router from $WORK/router.js;
    js_var \$ob_model;
    map \$ob_model \$ob_group {
        default "";
$MAP
        "fake-llama" "@group";
    }
    server {
        listen 127.0.0.1:$BACKEND;
        location / {
            default_type application/json;
            return 200 '{"model":"fake-llama","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"The sky scatters blue light."},"done":true,"done_reason":"stop","eval_count":6}';
        }
    }
    server {
        listen 127.0.0.1:$PLAIN;
        location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }
    }
    server {
        listen 127.0.0.1:$ROUTED;
        location / {
            client_body_buffer_size 32m; client_body_in_single_buffer on;
            set \$ob_unknown reject; set \$ob_available "fake-llama";
            js_content router.route;
        }
        location @group { proxy_pass http://group; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }
    }
}
CONF
"$NGINX" -p "$WORK/" -c "$WORK/nginx.conf" >&2
await_port "$ROUTED"

cat >"$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"fake-llama","stream":false,"messages":[{"role":"user","content":"Why is the sky blue?"}]}'
LUA

# requests/s and p50 (ms) of one wrk run
measure() { # port connections
  local out
  out=$(wrk -t1 -c"$2" -d"${SECONDS_PER}s" --latency -s "$WORK/post.lua" "http://127.0.0.1:$1/api/chat")
  local rps p50 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  [[ -z $errors ]] || { say "wrk saw $errors non-2xx answers on port $1"; exit 1; }
  echo "$rps $p50"
}

say "warming up"
wrk -t1 -c8 -d2s -s "$WORK/post.lua" "http://127.0.0.1:$BACKEND/api/chat" >/dev/null
wrk -t1 -c8 -d2s -s "$WORK/post.lua" "http://127.0.0.1:$PLAIN/api/chat" >/dev/null
wrk -t1 -c8 -d2s -s "$WORK/post.lua" "http://127.0.0.1:$ROUTED/api/chat" >/dev/null
say "measuring, ${SECONDS_PER} s each"
read -r plain32 _ < <(measure "$PLAIN" 32)
read -r routed32 _ < <(measure "$ROUTED" 32)
read -r _ plain1 < <(measure "$PLAIN" 1)
read -r _ routed1 < <(measure "$ROUTED" 1)

read -r direct32 _ < <(measure "$BACKEND" 32)

printf '\nrouting by model in nginx (njs), same nginx, same backend, %s s per figure\n' "$SECONDS_PER"
printf '%-36s %12s %12s %10s\n' "figure" "plain proxy" "routed" "ratio"
printf '%-36s %12.0f\n' "backend alone, req/s, 32 connections" "$direct32"
printf '%-36s %12.0f %12.0f %10.2f\n' "non-streamed req/s, 32 connections" "$plain32" "$routed32" "$(awk "BEGIN {print $routed32/$plain32}")"
printf '%-36s %12.3f %12.3f %+9.3f ms\n' "p50 ms, 1 connection" "$plain1" "$routed1" "$(awk "BEGIN {print $routed1-$plain1}")"
