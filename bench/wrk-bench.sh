#!/usr/bin/env bash
# Issue 11's table from one command: the bridge against an nginx reverse proxy in front of the same
# in-memory fake backend, in one run, with wrk; the bridge launched as the console launches it (its
# JVM flags), once on Java 17 and once on the newest JDK >= 21 found. Prints a Markdown table to
# stdout (progress goes to stderr) and keeps it in target/wrk-bench.md.
#
#   bench/wrk-bench.sh                   # 10 s per measurement
#   BENCH_SECONDS=3 bench/wrk-bench.sh   # a quick run
#
# Environment: BENCH_SECONDS (10), BENCH_WARMUP (seconds before each measurement, 3),
# BENCH_JIT_WARMUP (seconds of load a new bridge gets before its first measurement, 30: the JIT
# compilers take that long to finish on 2 busy cores, and a bridge lives far longer),
# BENCH_TTFT (1; 0 skips the streamed time to first token, which comes from the Java harness),
# BENCH_JAVA17 / BENCH_JAVA_NEW (a java executable each; default: found as described below),
# BENCH_ARCHIVE (1; 0 starts the bridges without the shared class-data archive), NGINX_WORKERS (auto).
#
# Every process it starts is stopped on exit, by its pid.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
JAR=target/ollama-bridge.jar
SECONDS_PER=${BENCH_SECONDS:-10}
WARMUP=${BENCH_WARMUP:-3}
JIT_WARMUP=${BENCH_JIT_WARMUP:-30}
TTFT=${BENCH_TTFT:-1}
# auto: as many workers as cores. The bridge's JVM may use every core, so nginx may too; with one
# worker nginx would be held to one core and the ratios would flatter the bridge.
NGINX_WORKERS=${NGINX_WORKERS:-auto}
# The wrk client takes one thread: on a 2-core machine it shares the cores with the proxy under test
# and the backend, the same for every column.
WRK_THREADS=1

say() { printf '%s\n' "$*" >&2; }
die() { say "wrk-bench: $*"; exit 1; }

# ---- what it needs ------------------------------------------------------------------------------

if [[ ! -f $JAR ]]; then
  say "building $JAR"
  mvn -B -q -ntp -DskipTests package
fi

NGINX=$(command -v nginx || true)
[[ -z $NGINX && -x /usr/sbin/nginx ]] && NGINX=/usr/sbin/nginx
if ! command -v wrk >/dev/null || [[ -z $NGINX ]]; then
  [[ $(id -u) -eq 0 ]] || die "wrk and nginx are needed: apt-get install wrk nginx-light (as root)"
  say "installing wrk and nginx-light"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # no init system: the nginx package must not start its service
  made_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    made_policy=1
  fi
  apt-get install -y -qq --no-install-recommends wrk nginx-light >&2
  [[ $made_policy -eq 1 ]] && rm -f /usr/sbin/policy-rc.d
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
fi

# A JDK's version from its release file (JAVA_VERSION="25.0.1"), as the console reads it.
jdk_version() {
  local home
  home=$(dirname "$(dirname "$(readlink -f "$1")")")
  [[ -f $home/release ]] || return 0
  sed -n 's/^JAVA_VERSION="\([^"]*\)"$/\1/p' "$home/release"
}

feature_of() {
  local v=${1#1.}
  echo "${v%%[!0-9]*}"
}

# The places the console's bridge.java=auto looks: $JAVA_HOME, /usr/lib/jvm/*, the java on the PATH.
declare -A SEEN=()
CANDIDATES=()
for java in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} /usr/lib/jvm/*/bin/java "$(command -v java || true)"; do
  [[ -n $java && -x $java ]] || continue
  real=$(readlink -f "$java")
  [[ -z ${SEEN[$real]:-} ]] || continue
  SEEN[$real]=1
  CANDIDATES+=("$real")
done

newest_java() { # min max: the java of the highest feature version in [min, max]
  local best="" best_feature=0 java version feature
  for java in "${CANDIDATES[@]}"; do
    version=$(jdk_version "$java")
    [[ -n $version ]] || continue
    feature=$(feature_of "$version")
    if ((feature >= $1 && feature <= $2 && feature > best_feature)); then
      best=$java best_feature=$feature
    fi
  done
  echo "$best"
}

JAVA17=${BENCH_JAVA17:-$(newest_java 17 17)}
JAVA_NEW=${BENCH_JAVA_NEW:-$(newest_java 21 999)}
[[ -n $JAVA17 ]] || die "no Java 17 found; set BENCH_JAVA17 to a java executable"
V17=$(jdk_version "$JAVA17")
if [[ -n $JAVA_NEW ]]; then
  VNEW=$(jdk_version "$JAVA_NEW")
  FNEW=$(feature_of "${VNEW:-0}")
  JAVAS=("$JAVA17" "$JAVA_NEW")
else
  say "no JDK >= 21 found: the bridge runs on Java 17 only"
  FNEW="N" VNEW="none found"
  JAVAS=("$JAVA17")
fi
# the backend on the fastest java found, so that it is the proxies that are measured
BACKEND_JAVA=${JAVA_NEW:-$JAVA17}

# ---- processes, ports and plain HTTP ------------------------------------------------------------

# Below the kernel's ephemeral range: a port there may be the local end of an outgoing connection
# (wrk's, nginx's, a bridge's), which a connect probe cannot see and a listener cannot bind.
EPHEMERAL_LOW=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
declare -A TAKEN=([11434]=1 [11435]=1)
free_port() { # VAR: a loopback port nothing listens on, between 10240 and the ephemeral range
  local candidate probe
  while :; do
    candidate=$((10240 + RANDOM % (EPHEMERAL_LOW - 10240)))
    [[ -z ${TAKEN[$candidate]:-} ]] || continue
    if ! { exec {probe}<>"/dev/tcp/127.0.0.1/$candidate"; } 2>/dev/null; then
      TAKEN[$candidate]=1
      printf -v "$1" '%s' "$candidate"
      return
    fi
    exec {probe}>&-
  done
}

start() { # LOG COMMAND...: runs it in the background; its pid in STARTED
  local log=$1
  shift
  "$@" >"$log" 2>&1 &
  STARTED=$!
  PIDS+=("$STARTED")
}

stop() { # PID...
  local pid
  for pid in "$@"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "$@"; do
    wait "$pid" 2>/dev/null || true
  done
  local left=()
  for pid in "${PIDS[@]}"; do
    [[ " $* " == *" $pid "* ]] || left+=("$pid")
  done
  PIDS=("${left[@]}")
}

WORK=$(mktemp -d /tmp/wrk-bench.XXXXXX)
PIDS=()

cleanup() {
  stop "${PIDS[@]}"
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The bridge's JVM flags, read from the jar itself so that they are the console's.
cat >"$WORK/Flags.java" <<'EOF'
class Flags {
  public static void main(String[] args) {
    System.out.println(String.join(" ", dev.ollamabridge.console.instances.BridgeLaunch.JVM_FLAGS));
  }
}
EOF
read -r -a BRIDGE_FLAGS <<<"$("$JAVA17" --class-path "$JAR" "$WORK/Flags.java")"
((${#BRIDGE_FLAGS[@]} > 0)) || die "could not read the bridge's JVM flags from $JAR"

# The class-data archive every bridge of a console maps, built as the console builds it (a training
# run of a bridge) for each java, and the flags that map it; BENCH_ARCHIVE=0 runs without.
cat >"$WORK/Archive.java" <<'EOF'
import dev.ollamabridge.console.instances.BridgeArchive;
import dev.ollamabridge.console.instances.SelfCommand;
import java.nio.file.Path;
import java.util.List;
class Archive {
  public static void main(String[] args) throws Exception { // JAVA JAR VERSION FEATURE DIR
    BridgeArchive archive = BridgeArchive.of(new SelfCommand(args[0], List.of("-jar", args[1])), args[2],
        Integer.parseInt(args[3]), Path.of(args[4]), Path.of(args[4])).orElseThrow();
    archive.build();
    System.out.println("flags: " + String.join(" ", archive.flags()));
  }
}
EOF
declare -A ARCHIVE_FLAGS=()
archive_flags() { # JAVA: the flags that map the archive for bridges on JAVA, in ARCHIVE
  ARCHIVE=()
  [[ ${BENCH_ARCHIVE:-1} == 1 ]] || return 0
  if [[ -z ${ARCHIVE_FLAGS[$1]:-} ]]; then
    local version line
    version=$(jdk_version "$1")
    # one directory per java: building an archive removes the others in its directory, as the
    # console keeps only the archive of the JDK it launches bridges on
    line=$("$JAVA17" --class-path "$JAR" "$WORK/Archive.java" "$1" "$JAR" "$version" "$(feature_of "$version")" \
      "$WORK/archive-$(feature_of "$version")" | grep '^flags: ') || die "could not build the class-data archive for $1"
    ARCHIVE_FLAGS[$1]=${line#flags: }
  fi
  read -r -a ARCHIVE <<<"${ARCHIVE_FLAGS[$1]}"
  local flag
  for flag in "${ARCHIVE[@]}"; do # a JVM that cannot find its archive runs without, silently
    case $flag in -XX:AOTCache=* | -XX:SharedArchiveFile=*) [[ -f ${flag#*=} ]] || die "the archive $flag is gone" ;; esac
  done
}

BODY='{"model":"fake-llama","stream":false,"messages":[{"role":"user","content":"Explain how a load balancer picks a server."}],"options":{"temperature":0}}'
HEALTH_REQUEST=$'GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n'
CHAT_REQUEST=$'POST /api/chat HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: '"${#BODY}"$'\r\n\r\n'"$BODY"

# A pause without a fork (which would take CPU from the JVM being timed): a read that times out.
mkfifo "$WORK/tick"
exec {TICK}<>"$WORK/tick"
pause() { read -r -t "$1" -u "$TICK" _ || true; }

status_of() { # PORT REQUEST: the answer's status code in STATUS, or 0 when nothing listens
  STATUS=0
  local line fd
  { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 0
  printf '%s' "$2" >&"$fd"
  IFS=' ' read -r -t 10 _ STATUS _ <&"$fd" || STATUS=0
  exec {fd}>&-
}

await_200() { # PORT REQUEST [SECONDS]: polls until it answers 200
  local deadline=$((${EPOCHREALTIME/./} + ${3:-60} * 1000000))
  while :; do
    status_of "$1" "$2"
    [[ $STATUS == 200 ]] && return 0
    if ((${EPOCHREALTIME/./} >= deadline)); then
      [[ ! -f $WORK/bridge-$1.log ]] || tail -n 20 "$WORK/bridge-$1.log" >&2
      die "nothing answered 200 on 127.0.0.1:$1 in ${3:-60} s (last status: $STATUS)"
    fi
    pause 0.005
  done
}

start_bridge() { # JAVA PORT [ARGS...]: launched as the console launches it
  local java=$1 port=$2
  shift 2
  archive_flags "$java"
  start "$WORK/bridge-$port.log" "$java" "${BRIDGE_FLAGS[@]}" "${ARCHIVE[@]}" -jar "$JAR" bridge -l "127.0.0.1:$port" \
    --ollama "http://127.0.0.1:$BACKEND_PORT" --upstream-dialect auto "$@"
}

# ---- wrk ----------------------------------------------------------------------------------------

cat >"$WORK/post.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$BODY'
EOF

# URL CONNECTIONS SECONDS: sets RPS, P50 and P99 (ms); refuses a run with errors
run_wrk() {
  local out
  out=$(wrk -t"$WRK_THREADS" -c"$2" -d"$3s" --latency -s "$WORK/post.lua" "$1")
  if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
    say "$out"
    die "wrk saw errors on $1"
  fi
  RPS=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")
  P50=$(awk '$1 == "50%" {print $2}' <<<"$out" | to_ms)
  P99=$(awk '$1 == "99%" {print $2}' <<<"$out" | to_ms)
}

to_ms() {
  awk '{ v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /[^m]s$/) v *= 1000; printf "%.3f", v }'
}

# URL: throughput at 32 connections in RPS; p50 and p99 at one connection in P50, P99
measure() {
  run_wrk "$1" 32 "$WARMUP"
  run_wrk "$1" 32 "$SECONDS_PER"
  local rps=$RPS
  run_wrk "$1" 1 "$WARMUP"
  run_wrk "$1" 1 "$SECONDS_PER"
  RPS=$rps
}

# ---- the run ------------------------------------------------------------------------------------

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "wrk-bench: ${SECONDS_PER} s per measurement (+${WARMUP} s warm-up; ${JIT_WARMUP} s for a new bridge), $(nproc) cores, load average $LOAD_BEFORE"
awk -v load="${LOAD_BEFORE%% *}" 'BEGIN { exit !(load >= 0.5) }' && say "  the machine is busy: other work skews these figures"
say "  Java 17: $JAVA17 ($V17); newest >= 21: ${JAVA_NEW:-none} ($VNEW); backend on $BACKEND_JAVA"
say "  bridge JVM flags: ${BRIDGE_FLAGS[*]}, and the shared class-data archive's (BENCH_ARCHIVE=${BENCH_ARCHIVE:-1})"

free_port BACKEND_PORT
start "$WORK/backend.log" "$BACKEND_JAVA" -jar "$JAR" fake-ollama -l "127.0.0.1:$BACKEND_PORT" --token-rate 0
await_200 "$BACKEND_PORT" "$CHAT_REQUEST"

free_port NGINX_PORT
mkdir -p "$WORK/nginx/logs" "$WORK/nginx/temp"
cat >"$WORK/nginx/nginx.conf" <<EOF
daemon off;
worker_processes $NGINX_WORKERS;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/temp/client_body;
  proxy_temp_path $WORK/nginx/temp/proxy;
  fastcgi_temp_path $WORK/nginx/temp/fastcgi;
  uwsgi_temp_path $WORK/nginx/temp/uwsgi;
  scgi_temp_path $WORK/nginx/temp/scgi;
  upstream backend {
    server 127.0.0.1:$BACKEND_PORT;
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
EOF
start "$WORK/nginx.log" "$NGINX" -e "$WORK/nginx/logs/error.log" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf"
NGINX_PID=$STARTED
await_200 "$NGINX_PORT" "$CHAT_REQUEST"

say "backend alone"
# the backend's JIT first, so that no column pays for it
run_wrk "http://127.0.0.1:$BACKEND_PORT/api/chat" 32 $((WARMUP > 5 ? WARMUP : 5))
measure "http://127.0.0.1:$BACKEND_PORT/api/chat"
DIRECT_RPS=$RPS DIRECT_P50=$P50
say "nginx proxy"
measure "http://127.0.0.1:$NGINX_PORT/api/chat"
NGINX_RPS=$RPS NGINX_P50=$P50 NGINX_P99=$P99
run_wrk "http://127.0.0.1:$NGINX_PORT/api/chat" 32 "$SECONDS_PER"
NGINX_CACHE_RPS=$RPS
stop "$NGINX_PID"

for java in "${JAVAS[@]}"; do
  say "class-data archive for $java"
  archive_flags "$java"
done

declare -A RESULT=()
for java in "${JAVAS[@]}"; do
  col=$([[ $java == "$JAVA17" ]] && echo 17 || echo new)
  say "bridge on $java"

  free_port port
  start_bridge "$java" "$port"
  bridge=$STARTED
  await_200 "$port" "$HEALTH_REQUEST"
  run_wrk "http://127.0.0.1:$port/api/chat" 32 "$JIT_WARMUP"
  measure "http://127.0.0.1:$port/api/chat"
  RESULT[$col.rps]=$RPS RESULT[$col.p50]=$P50 RESULT[$col.p99]=$P99
  stop "$bridge"

  free_port port
  start_bridge "$java" "$port" --enable-cache --cache-dir "$WORK/cache-$col"
  bridge=$STARTED
  await_200 "$port" "$HEALTH_REQUEST"
  await_200 "$port" "$CHAT_REQUEST" # fills the cache
  curl -s -o /dev/null -D - -H 'Content-Type: application/json' -d "$BODY" "http://127.0.0.1:$port/api/chat" \
    | grep -qi '^bridge-cache-hit: true' || die "the bridge on $java did not answer from its cache"
  run_wrk "http://127.0.0.1:$port/api/chat" 32 "$JIT_WARMUP"
  run_wrk "http://127.0.0.1:$port/api/chat" 32 "$SECONDS_PER"
  RESULT[$col.cache]=$RPS
  stop "$bridge"

  # start to first answer: exec to the first 200, without a fork while it starts; the median of 3
  for what in health chat; do
    # not through $(…), which would cut the request's closing newline
    if [[ $what == health ]]; then request=$HEALTH_REQUEST; else request=$CHAT_REQUEST; fi
    times=()
    for _ in 1 2 3; do
      free_port port
      t0=${EPOCHREALTIME/./}
      start_bridge "$java" "$port"
      await_200 "$port" "$request"
      times+=($(((${EPOCHREALTIME/./} - t0) / 1000)))
      stop "$STARTED"
    done
    RESULT[$col.start_$what]=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
  done

  # PSS per idle bridge, with 1, 4 and 10 of them running; each has answered one request
  idle=()
  for count in 1 4 10; do
    fresh=()
    while ((${#idle[@]} + ${#fresh[@]} < count)); do
      free_port port
      start_bridge "$java" "$port"
      fresh+=("$port:$STARTED")
    done
    for entry in "${fresh[@]}"; do
      await_200 "${entry%%:*}" "$CHAT_REQUEST"
    done
    idle+=("${fresh[@]}")
    pause 6 # idle: past the JVM's native-heap trim (every 5 s)
    total=0
    for entry in "${idle[@]}"; do
      total=$((total + $(awk '/^Pss:/ {print $2}' "/proc/${entry##*:}/smaps_rollup")))
    done
    RESULT[$col.pss$count]=$((total / count / 1024))
  done
  pids=()
  for entry in "${idle[@]}"; do pids+=("${entry##*:}"); done
  stop "${pids[@]}"
done
stop "${PIDS[@]}"

if [[ $TTFT == 1 ]]; then
  say "streamed time to first token, from the Java harness (BridgeBenchmark)"
  mvn -B -q -ntp test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$WORK/classpath" >&2
  # the direct and bridged p50 of a row: scenario conc | direct/s bridge/s ratio | d p50 b p50 | d p99 b p99
  p50s() { grep "$1" <<<"$rows" | awk -F'|' '{split($3, a, " "); print a[1], a[2]}'; }
  for java in "${JAVAS[@]}"; do
    col=$([[ $java == "$JAVA17" ]] && echo 17 || echo new)
    rows=$("$JAVA17" -cp "target/test-classes:target/classes:$(cat "$WORK/classpath")" \
      dev.ollamabridge.bench.BridgeBenchmark "$JAR" "$SECONDS_PER" 32 "$java" "first token,TTFT" "$BACKEND_JAVA")
    read -r RESULT[$col.ttft_direct] RESULT[$col.ttft] < <(p50s 'time to first token')
    read -r RESULT[$col.paced_ttft_direct] RESULT[$col.paced_ttft] < <(p50s '100 tokens/s, TTFT')
  done
fi

# ---- the table ----------------------------------------------------------------------------------

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "—"; else printf "×%.2f", a / b }'; }
added() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print "—"; else printf "%+.3f ms", a - b }'; }
get() { echo "${RESULT[$1]:-}"; }
cell() { [[ -n $1 ]] && echo "$1$2" || echo "—"; }

NEW_HEAD="bridge (JDK $FNEW)"
{
  echo "wrk-bench: $(date -u +%Y-%m-%dT%H:%MZ), ${SECONDS_PER} s per measurement, a new bridge warmed ${JIT_WARMUP} s, $(nproc) cores;" \
    "Java 17 = $V17, JDK $FNEW = $VNEW; backend: fake-ollama --token-rate 0 on JDK $(feature_of "$(jdk_version "$BACKEND_JAVA")");" \
    "nginx worker_processes $NGINX_WORKERS, keepalive 64, proxy_buffering off; wrk -t$WRK_THREADS; request: POST /api/chat, stream false;" \
    "load average $LOAD_BEFORE before, $(cut -d' ' -f1-3 /proc/loadavg) after"
  echo
  echo "| figure | nginx proxy / direct | bridge (Java 17) | $NEW_HEAD | ratio, Java 17 | ratio, JDK $FNEW | goal |"
  echo "|---|---|---|---|---|---|---|"
  echo "| non-streamed throughput, 32 connections | $NGINX_RPS req/s | $(cell "$(get 17.rps)" " req/s") | $(cell "$(get new.rps)" " req/s") | $(ratio "$(get 17.rps)" "$NGINX_RPS") | $(ratio "$(get new.rps)" "$NGINX_RPS") | ≥ ×0.5 of nginx |"
  echo "| p50, 1 connection | $NGINX_P50 ms | $(cell "$(get 17.p50)" " ms") | $(cell "$(get new.p50)" " ms") | $(added "$(get 17.p50)" "$NGINX_P50") | $(added "$(get new.p50)" "$NGINX_P50") | ≤ nginx + 0.1 ms |"
  echo "| p99, 1 connection | $NGINX_P99 ms | $(cell "$(get 17.p99)" " ms") | $(cell "$(get new.p99)" " ms") | $(ratio "$(get 17.p99)" "$NGINX_P99") | $(ratio "$(get new.p99)" "$NGINX_P99") | ≤ 1 ms |"
  if [[ $TTFT == 1 ]]; then
    echo "| streamed time to first token, p50, 32 connections (harness; direct) | $(get 17.ttft_direct) ms | $(cell "$(get 17.ttft)" " ms") | $(cell "$(get new.ttft)" " ms") | $(added "$(get 17.ttft)" "$(get 17.ttft_direct)") | $(added "$(get new.ttft)" "$(get new.ttft_direct)") | ≤ direct + 2 ms |"
    echo "| the same against a backend at 100 tokens/s (harness; direct) | $(get 17.paced_ttft_direct) ms | $(cell "$(get 17.paced_ttft)" " ms") | $(cell "$(get new.paced_ttft)" " ms") | $(added "$(get 17.paced_ttft)" "$(get 17.paced_ttft_direct)") | $(added "$(get new.paced_ttft)" "$(get new.paced_ttft_direct)") | (context) |"
  fi
  echo "| cache-hit throughput, 32 connections | $NGINX_CACHE_RPS req/s | $(cell "$(get 17.cache)" " req/s") | $(cell "$(get new.cache)" " req/s") | $(ratio "$(get 17.cache)" "$NGINX_CACHE_RPS") | $(ratio "$(get new.cache)" "$NGINX_CACHE_RPS") | ≥ ×0.8 of nginx |"
  for count in 1 4 10; do
    echo "| PSS per bridge, $count idle | — | $(cell "$(get 17.pss$count)" " MiB") | $(cell "$(get new.pss$count)" " MiB") | — | — | ≤ 40 MiB |"
  done
  echo "| start to first /health 200 (median of 3) | — | $(cell "$(get 17.start_health)" " ms") | $(cell "$(get new.start_health)" " ms") | — | — | ≤ 500 ms |"
  echo "| start to first generation 200 (median of 3) | — | $(cell "$(get 17.start_chat)" " ms") | $(cell "$(get new.start_chat)" " ms") | — | — | ≤ 500 ms |"
  echo
  echo "Backend alone: $DIRECT_RPS req/s at 32 connections, p50 $DIRECT_P50 ms at 1. Ratios: bridge / nginx"
  echo "(latency rows: added ms over nginx; time to first token: over the backend direct, in the same harness run)."
} | tee target/wrk-bench.md
