#!/usr/bin/env bash
# Issue 26's goals table from one command: the bridge against an nginx reverse proxy in front of the
# same in-memory fake backend, in one run, with wrk; the bridge launched as the console launches it
# (its JVM flags and class-data archive), once on Java 17 and once on the newest JDK >= 21 found.
# Prints Markdown tables to stdout (progress goes to stderr) and keeps them in target/wrk-bench.md.
#
#   bench/wrk-bench.sh                                  # 10 s per measurement
#   BENCH_SECONDS=2 BENCH_JIT_WARMUP=3 bench/wrk-bench.sh   # a quick check that it runs
#   BENCH_BEFORE=main bench/wrk-bench.sh                # before and after: main's jar and this tree's
#
# Environment: BENCH_SECONDS (10), BENCH_WARMUP (seconds before each measurement, 3),
# BENCH_JIT_WARMUP (seconds of load a new bridge gets before its first measurement, 30: the JIT
# compilers take that long to finish on 2 busy cores, and a bridge lives far longer),
# BENCH_TTFT (1; 0 skips the streamed time to first token, which comes from the Java harness),
# BENCH_JAVA17 / BENCH_JAVA_NEW (a java executable each; default: found as described below),
# BENCH_ARCHIVE (1; 0 starts the bridges without the shared class-data archive), NGINX_WORKERS (auto),
# BENCH_PSS_COUNTS (idle bridges to measure PSS with, "4"; e.g. "1 4 10"),
# BENCH_BEFORE (a git ref: its jar is built in a temporary worktree, removed on exit, and measured in
# the same run as this tree's, which is built first; both tables are printed, then the after/before
# ratios), BENCH_BUILD (1 builds this tree's jar, 0 takes target/'s; default: when missing or with BENCH_BEFORE).
#
# CPU per proxied request is the process's utime+stime (/proc/<pid>/stat; nginx: master and workers)
# over the measured 32-connection run, divided by the requests wrk completed in it.
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

# BENCH_BUILD: 1 builds this tree's jar first, 0 takes the one in target/; by default it is built
# when missing, and always for a before-and-after run, where a stale jar would make the "after" wrong.
BUILD=${BENCH_BUILD:-$([[ -n ${BENCH_BEFORE:-} || ! -f $JAR ]] && echo 1 || echo 0)}
if [[ $BUILD == 1 ]]; then
  say "building $JAR"
  mvn -B -q -ntp -o -DskipTests package >&2 || mvn -B -q -ntp -DskipTests package >&2
fi
[[ -f $JAR ]] || die "$JAR is missing: build it (mvn -DskipTests package) or leave BENCH_BUILD unset"

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
BEFORE_TREE=""

cleanup() {
  stop "${PIDS[@]}"
  if [[ -n $BEFORE_TREE ]]; then
    git -C "$ROOT" worktree remove --force "$BEFORE_TREE" >/dev/null 2>&1 || true
    git -C "$ROOT" worktree prune >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The jars measured: this tree's ("after"), and with BENCH_BEFORE the ref's ("before"), built in a
# detached worktree that the exit removes.
LABELS=(after)
declare -A JAR_OF=([after]=$JAR)
if [[ -n ${BENCH_BEFORE:-} ]]; then
  BEFORE_SHA=$(git -C "$ROOT" rev-parse --verify --quiet "${BENCH_BEFORE}^{commit}") || die "BENCH_BEFORE=$BENCH_BEFORE is no commit"
  BEFORE_TREE="$WORK/before-tree"
  say "building the jar of $BENCH_BEFORE (${BEFORE_SHA:0:10}) in a temporary worktree"
  git -C "$ROOT" worktree add --detach "$BEFORE_TREE" "$BEFORE_SHA" >/dev/null 2>&1 || die "git worktree add failed for $BENCH_BEFORE"
  # offline first: the local repository usually has what an older commit needs
  (cd "$BEFORE_TREE" && { mvn -B -q -ntp -o -DskipTests package >&2 || mvn -B -q -ntp -DskipTests package >&2; }) \
    || die "could not build the jar of $BENCH_BEFORE"
  cp "$BEFORE_TREE/target/ollama-bridge.jar" "$WORK/before.jar"
  JAR_OF[before]="$WORK/before.jar"
  LABELS=(before after)
fi
describe() { # LABEL: what the jar is
  if [[ $1 == before ]]; then echo "$BENCH_BEFORE (${BEFORE_SHA:0:10})"; else echo "this tree ($(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- app pom.xml 2>/dev/null || echo ', changed'))"; fi
}

# The bridge's JVM flags, read from each jar itself so that they are the console's.
cat >"$WORK/Flags.java" <<'EOF'
class Flags {
  public static void main(String[] args) {
    System.out.println(String.join(" ", dev.ollamabridge.console.instances.BridgeLaunch.JVM_FLAGS));
  }
}
EOF
declare -A FLAGS_OF=()
for label in "${LABELS[@]}"; do
  FLAGS_OF[$label]=$("$JAVA17" --class-path "${JAR_OF[$label]}" "$WORK/Flags.java") || true
  [[ -n ${FLAGS_OF[$label]} ]] || die "could not read the bridge's JVM flags from ${JAR_OF[$label]}"
done

# The class-data archive every bridge of a console maps, built as the console builds it (a training
# run of a bridge) for each jar and java, and the flags that map it; BENCH_ARCHIVE=0 runs without.
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
archive_flags() { # LABEL JAVA: the flags that map the archive for LABEL's bridges on JAVA, in ARCHIVE
  ARCHIVE=()
  [[ ${BENCH_ARCHIVE:-1} == 1 ]] || return 0
  local key="$1|$2" jar=${JAR_OF[$1]}
  if [[ -z ${ARCHIVE_FLAGS[$key]:-} ]]; then
    local version line
    version=$(jdk_version "$2")
    # one directory per jar and java: building an archive removes the others in its directory, as
    # the console keeps only the archive of the JDK it launches bridges on
    line=$("$JAVA17" --class-path "$jar" "$WORK/Archive.java" "$2" "$jar" "$version" "$(feature_of "$version")" \
      "$WORK/archive-$1-$(feature_of "$version")" | grep '^flags: ') || die "could not build the class-data archive of $jar for $2"
    ARCHIVE_FLAGS[$key]=${line#flags: }
  fi
  read -r -a ARCHIVE <<<"${ARCHIVE_FLAGS[$key]}"
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

start_bridge() { # LABEL JAVA PORT [ARGS...]: LABEL's jar, launched as the console launches it
  local label=$1 java=$2 port=$3 flags
  shift 3
  archive_flags "$label" "$java"
  read -r -a flags <<<"${FLAGS_OF[$label]}"
  start "$WORK/bridge-$port.log" "$java" "${flags[@]}" "${ARCHIVE[@]}" -jar "${JAR_OF[$label]}" bridge -l "127.0.0.1:$port" \
    --ollama "http://127.0.0.1:$BACKEND_PORT" --upstream-dialect auto "$@"
}

# ---- CPU time -----------------------------------------------------------------------------------

CLK_TCK=$(getconf CLK_TCK)

cpu_ticks() { # PID...: their utime + stime in clock ticks, in TICKS; read without a fork
  TICKS=0
  local pid stat fields
  for pid in "$@"; do
    read -r stat <"/proc/$pid/stat" || continue
    read -r -a fields <<<"${stat##*) }" # after "pid (comm) ": state is field 3, utime 14, stime 15
    TICKS=$((TICKS + fields[11] + fields[12]))
  done
}

children_of() { # PID: its children's pids, in CHILDREN
  CHILDREN=()
  local task list
  for task in /proc/"$1"/task/*; do
    [[ -r $task/children ]] || continue
    read -r -a list <"$task/children" || true # the file ends without a newline
    CHILDREN+=("${list[@]}")
  done
}

# ---- wrk ----------------------------------------------------------------------------------------

cat >"$WORK/post.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$BODY'
EOF

# URL CONNECTIONS SECONDS [warm-up]: sets RPS, REQUESTS, P50 and P99 (ms); refuses a measured run
# with errors (a warm-up's, e.g. a timeout while the JIT compilers still work, only warms)
run_wrk() {
  local out
  # a request slower than 10 s is an error; wrk's default of 2 s is reached on a loaded machine
  out=$(wrk -t"$WRK_THREADS" -c"$2" -d"$3s" --timeout 10s --latency -s "$WORK/post.lua" "$1")
  if [[ -z ${4:-} ]] && grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
    say "$out"
    die "wrk saw errors on $1"
  fi
  RPS=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")
  REQUESTS=$(awk '$2 == "requests" && $3 == "in" {print $1}' <<<"$out")
  P50=$(awk '$1 == "50%" {print $2}' <<<"$out" | to_ms)
  P99=$(awk '$1 == "99%" {print $2}' <<<"$out" | to_ms)
}

to_ms() {
  awk '{ v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /[^m]s$/) v *= 1000; printf "%.3f", v }'
}

# URL PID...: throughput at 32 connections in RPS, and the CPU the PIDs spent per request of that
# run in CPU_US (µs); p50 and p99 at one connection in P50, P99
measure() {
  local url=$1
  shift
  run_wrk "$url" 32 "$WARMUP" warm-up
  cpu_ticks "$@"
  local ticks=$TICKS
  run_wrk "$url" 32 "$SECONDS_PER"
  cpu_ticks "$@"
  CPU_US=$(awk -v t=$((TICKS - ticks)) -v hz="$CLK_TCK" -v n="$REQUESTS" 'BEGIN { if (n > 0) printf "%.0f", t * 1e6 / hz / n }')
  local rps=$RPS
  run_wrk "$url" 1 "$WARMUP" warm-up
  run_wrk "$url" 1 "$SECONDS_PER"
  RPS=$rps
}

# ---- the run ------------------------------------------------------------------------------------

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "wrk-bench: ${SECONDS_PER} s per measurement (+${WARMUP} s warm-up; ${JIT_WARMUP} s for a new bridge), $(nproc) cores, load average $LOAD_BEFORE"
awk -v load="${LOAD_BEFORE%% *}" 'BEGIN { exit !(load >= 0.5) }' && say "  the machine is busy: other work skews these figures"
say "  Java 17: $JAVA17 ($V17); newest >= 21: ${JAVA_NEW:-none} ($VNEW); backend on $BACKEND_JAVA"
for label in "${LABELS[@]}"; do
  say "  $label: $(describe "$label"), bridge JVM flags: ${FLAGS_OF[$label]}, and the shared class-data archive's (BENCH_ARCHIVE=${BENCH_ARCHIVE:-1})"
done

free_port BACKEND_PORT
start "$WORK/backend.log" "$BACKEND_JAVA" -jar "$JAR" fake-ollama -l "127.0.0.1:$BACKEND_PORT" --token-rate 0
BACKEND_PID=$STARTED
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
children_of "$NGINX_PID"
NGINX_PIDS=("$NGINX_PID" "${CHILDREN[@]}")

say "backend alone"
# the backend's JIT first, so that no column pays for it
run_wrk "http://127.0.0.1:$BACKEND_PORT/api/chat" 32 $((WARMUP > 5 ? WARMUP : 5)) warm-up
measure "http://127.0.0.1:$BACKEND_PORT/api/chat" "$BACKEND_PID"
DIRECT_RPS=$RPS DIRECT_P50=$P50 DIRECT_P99=$P99 DIRECT_CPU=$CPU_US
say "nginx proxy (${#NGINX_PIDS[@]} processes)"
measure "http://127.0.0.1:$NGINX_PORT/api/chat" "${NGINX_PIDS[@]}"
NGINX_RPS=$RPS NGINX_P50=$P50 NGINX_P99=$P99 NGINX_CPU=$CPU_US
run_wrk "http://127.0.0.1:$NGINX_PORT/api/chat" 32 "$SECONDS_PER"
NGINX_CACHE_RPS=$RPS
stop "$NGINX_PID"

for label in "${LABELS[@]}"; do
  for java in "${JAVAS[@]}"; do
    say "class-data archive of $label for $java"
    archive_flags "$label" "$java"
  done
done

read -r -a PSS_COUNTS <<<"${BENCH_PSS_COUNTS:-4}"
declare -A RESULT=()
for java in "${JAVAS[@]}"; do
  col=$([[ $java == "$JAVA17" ]] && echo 17 || echo new)
  # before and after on the same java one after the other, so that a change of load hits both alike
  for label in "${LABELS[@]}"; do
    k=$label.$col
    say "$label bridge on $java"

    free_port port
    start_bridge "$label" "$java" "$port"
    bridge=$STARTED
    await_200 "$port" "$HEALTH_REQUEST"
    run_wrk "http://127.0.0.1:$port/api/chat" 32 "$JIT_WARMUP" warm-up
    measure "http://127.0.0.1:$port/api/chat" "$bridge"
    RESULT[$k.rps]=$RPS RESULT[$k.p50]=$P50 RESULT[$k.p99]=$P99 RESULT[$k.cpu]=$CPU_US
    stop "$bridge"

    free_port port
    start_bridge "$label" "$java" "$port" --enable-cache --cache-dir "$WORK/cache-$label-$col"
    bridge=$STARTED
    await_200 "$port" "$HEALTH_REQUEST"
    await_200 "$port" "$CHAT_REQUEST" # fills the cache
    curl -s -o /dev/null -D - -H 'Content-Type: application/json' -d "$BODY" "http://127.0.0.1:$port/api/chat" \
      | grep -qi '^bridge-cache-hit: true' || die "the $label bridge on $java did not answer from its cache"
    run_wrk "http://127.0.0.1:$port/api/chat" 32 "$JIT_WARMUP" warm-up
    run_wrk "http://127.0.0.1:$port/api/chat" 32 "$SECONDS_PER"
    RESULT[$k.cache]=$RPS
    stop "$bridge"

    # start to first answer: exec to the first 200, without a fork while it starts; the median of 3
    for what in health chat; do
      # not through $(…), which would cut the request's closing newline
      if [[ $what == health ]]; then request=$HEALTH_REQUEST; else request=$CHAT_REQUEST; fi
      times=()
      for _ in 1 2 3; do
        free_port port
        t0=${EPOCHREALTIME/./}
        start_bridge "$label" "$java" "$port"
        await_200 "$port" "$request"
        times+=($(((${EPOCHREALTIME/./} - t0) / 1000)))
        stop "$STARTED"
      done
      RESULT[$k.start_$what]=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
    done

    # PSS per idle bridge, with each count of BENCH_PSS_COUNTS running; each has answered one request
    idle=()
    for count in "${PSS_COUNTS[@]}"; do
      fresh=()
      while ((${#idle[@]} + ${#fresh[@]} < count)); do
        free_port port
        start_bridge "$label" "$java" "$port"
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
      RESULT[$k.pss$count]=$((total / count / 1024))
    done
    pids=()
    for entry in "${idle[@]}"; do pids+=("${entry##*:}"); done
    stop "${pids[@]}"
  done
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
    for label in "${LABELS[@]}"; do
      k=$label.$col
      rows=$("$JAVA17" -Dbench.jitWarmUpSeconds="$JIT_WARMUP" -cp "target/test-classes:target/classes:$(cat "$WORK/classpath")" \
        dev.ollamabridge.bench.BridgeBenchmark "${JAR_OF[$label]}" "$SECONDS_PER" 32 "$java" "first token,TTFT" "$BACKEND_JAVA")
      read -r RESULT[$k.ttft_direct] RESULT[$k.ttft] < <(p50s 'time to first token')
      read -r RESULT[$k.paced_ttft_direct] RESULT[$k.paced_ttft] < <(p50s '100 tokens/s, TTFT')
    done
  done
fi

# ---- the tables ---------------------------------------------------------------------------------

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "—"; else printf "×%.2f", a / b }'; }
added() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print "—"; else printf "%+.3f ms", a - b }'; }
get() { echo "${RESULT[$1]:-}"; }
cell() { [[ -n $1 ]] && echo "$1$2" || echo "—"; }
seconds() { [[ -n $1 ]] && awk -v ms="$1" 'BEGIN { printf "%.2f s", ms / 1000 }' || echo "—"; }

table() { # LABEL: the goals table of LABEL's jar
  local a=$1.17 b=$1.new
  echo "### $1: $(describe "$1")"
  echo
  echo "| figure | nginx proxy | bridge (Java 17) | bridge (JDK $FNEW) | vs nginx, Java 17 | vs nginx, JDK $FNEW | goal |"
  echo "|---|---|---|---|---|---|---|"
  echo "| non-streamed throughput, 32 connections | $NGINX_RPS req/s | $(cell "$(get $a.rps)" " req/s") | $(cell "$(get $b.rps)" " req/s") | $(ratio "$(get $a.rps)" "$NGINX_RPS") | $(ratio "$(get $b.rps)" "$NGINX_RPS") | ≥ ×0.8 |"
  echo "| p50 added at 1 connection (over the backend direct, $DIRECT_P50 ms) | $(added "$NGINX_P50" "$DIRECT_P50") | $(added "$(get $a.p50)" "$DIRECT_P50") | $(added "$(get $b.p50)" "$DIRECT_P50") | $(added "$(get $a.p50)" "$NGINX_P50") | $(added "$(get $b.p50)" "$NGINX_P50") | ≤ +0.05 ms |"
  echo "| p99 at 1 connection | $NGINX_P99 ms | $(cell "$(get $a.p99)" " ms") | $(cell "$(get $b.p99)" " ms") | $(ratio "$(get $a.p99)" "$NGINX_P99") | $(ratio "$(get $b.p99)" "$NGINX_P99") | ≤ 1 ms |"
  if [[ $TTFT == 1 ]]; then
    echo "| streamed time to first token, 32 connections, added, unpaced (harness p50 over direct) | — | $(added "$(get $a.ttft)" "$(get $a.ttft_direct)") | $(added "$(get $b.ttft)" "$(get $b.ttft_direct)") | — | — | ≤ +2 ms |"
    echo "| the same against a backend at 100 tokens/s (context) | — | $(added "$(get $a.paced_ttft)" "$(get $a.paced_ttft_direct)") | $(added "$(get $b.paced_ttft)" "$(get $b.paced_ttft_direct)") | — | — | — |"
  fi
  echo "| CPU per proxied request (utime+stime over the 32-connection run) | $(cell "$NGINX_CPU" " µs") | $(cell "$(get $a.cpu)" " µs") | $(cell "$(get $b.cpu)" " µs") | $(ratio "$(get $a.cpu)" "$NGINX_CPU") | $(ratio "$(get $b.cpu)" "$NGINX_CPU") | ≤ ×2 |"
  local count
  for count in "${PSS_COUNTS[@]}"; do
    echo "| PSS per idle bridge, $count bridges | — | $(cell "$(get $a.pss$count)" " MiB") | $(cell "$(get $b.pss$count)" " MiB") | — | — | ≤ 40 MiB |"
  done
  echo "| start to first answer: /health 200 (median of 3) | — | $(seconds "$(get $a.start_health)") | $(seconds "$(get $b.start_health)") | — | — | ≤ 0.3 s |"
  echo "| start to first answer: generation 200 (median of 3) | — | $(seconds "$(get $a.start_chat)") | $(seconds "$(get $b.start_chat)") | — | — | ≤ 0.3 s |"
  echo "| cache-hit throughput, 32 connections | $NGINX_CACHE_RPS req/s (proxying) | $(cell "$(get $a.cache)" " req/s") | $(cell "$(get $b.cache)" " req/s") | $(ratio "$(get $a.cache)" "$NGINX_CACHE_RPS") | $(ratio "$(get $b.cache)" "$NGINX_CACHE_RPS") | ≥ ×1 |"
  echo
}

change() { # KEY LABEL: after / before of one figure
  ratio "$(get after.$1)" "$(get before.$1)"
}

{
  echo "wrk-bench: $(date -u +%Y-%m-%dT%H:%MZ), ${SECONDS_PER} s per measurement, a new bridge warmed ${JIT_WARMUP} s, $(nproc) cores;" \
    "Java 17 = $V17, JDK $FNEW = $VNEW; backend: fake-ollama --token-rate 0 on JDK $(feature_of "$(jdk_version "$BACKEND_JAVA")");" \
    "nginx worker_processes $NGINX_WORKERS, keepalive 64, proxy_buffering off; wrk -t$WRK_THREADS; request: POST /api/chat, stream false;" \
    "load average $LOAD_BEFORE before, $(cut -d' ' -f1-3 /proc/loadavg) after"
  echo
  echo "Backend alone: $DIRECT_RPS req/s at 32 connections ($(cell "$DIRECT_CPU" " µs") of its CPU per request), p50 $DIRECT_P50 ms and p99 $DIRECT_P99 ms at 1."
  echo
  for label in "${LABELS[@]}"; do
    table "$label"
  done
  if [[ -n ${BENCH_BEFORE:-} ]]; then
    echo "### after / before (ratios of the figures; below ×1 is lower)"
    echo
    echo "| figure | Java 17 | JDK $FNEW |"
    echo "|---|---|---|"
    echo "| non-streamed throughput, 32 connections | $(change 17.rps) | $(change new.rps) |"
    echo "| p50 at 1 connection | $(change 17.p50) | $(change new.p50) |"
    echo "| p99 at 1 connection | $(change 17.p99) | $(change new.p99) |"
    [[ $TTFT != 1 ]] || echo "| streamed time to first token, 32 connections | $(change 17.ttft) | $(change new.ttft) |"
    echo "| CPU per proxied request | $(change 17.cpu) | $(change new.cpu) |"
    for count in "${PSS_COUNTS[@]}"; do
      echo "| PSS per idle bridge, $count bridges | $(change 17.pss$count) | $(change new.pss$count) |"
    done
    echo "| start to first generation 200 | $(change 17.start_chat) | $(change new.start_chat) |"
    echo "| cache-hit throughput | $(change 17.cache) | $(change new.cache) |"
    echo
  fi
  echo "Ratios: bridge / nginx; latency rows: ms added (the nginx column: nginx's own over the backend);"
  echo "time to first token: over the backend direct, in the same harness run."
} | tee target/wrk-bench.md
