#!/usr/bin/env bash
# Where a bridge spends its CPU: one bridge, launched with the console's JVM flags on the newest JDK
# >= 21 found (or PROFILE_JAVA), in front of the in-memory fake backend, under wrk's 32 connections
# (POST /api/chat, stream false, as wrk-bench sends) for PROFILE_SECONDS after a 20 s warm-up,
# recorded by JDK Flight Recorder. Prints the hot methods and the allocations (jfr view), and keeps
# the recording in target/bridge-profile.jfr for `jfr view` or JDK Mission Control.
#
#   bench/profile-bridge.sh                    # 30 s recorded
#   PROFILE_SECONDS=60 PROFILE_ROUTE=/v1/chat/completions bench/profile-bridge.sh   # the translated route
#
# Needs the jar (mvn -DskipTests package) and wrk. Every process it starts is stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
JAR=target/ollama-bridge.jar
SECONDS_RECORDED=${PROFILE_SECONDS:-30}
ROUTE=${PROFILE_ROUTE:-/api/chat}
[[ -f $JAR ]] || { echo "profile-bridge: $JAR is missing: mvn -DskipTests package" >&2; exit 1; }
command -v wrk >/dev/null || { echo "profile-bridge: wrk is needed (apt-get install wrk)" >&2; exit 1; }

newest_java() { # the java of the highest feature version >= 21 under /usr/lib/jvm or $JAVA_HOME
  local best="" best_feature=0 java home version feature
  for java in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} /usr/lib/jvm/*/bin/java; do
    [[ -x $java ]] || continue
    home=$(dirname "$(dirname "$(readlink -f "$java")")")
    version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)"$/\1/p' "$home/release" 2>/dev/null || true)
    feature=${version%%[!0-9]*}
    if [[ -n $feature ]] && ((feature >= 21 && feature > best_feature)); then
      best=$java best_feature=$feature
    fi
  done
  echo "$best"
}
JAVA=${PROFILE_JAVA:-$(newest_java)}
[[ -n $JAVA ]] || { echo "profile-bridge: no JDK >= 21 found (jfr view needs one); set PROFILE_JAVA" >&2; exit 1; }
JFR=$(dirname "$JAVA")/jfr

WORK=$(mktemp -d /tmp/profile-bridge.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { # a loopback port nothing listens on, below the ephemeral range
  local low candidate probe
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  while :; do
    candidate=$((10240 + RANDOM % (low - 10240)))
    if ! { exec {probe}<>"/dev/tcp/127.0.0.1/$candidate"; } 2>/dev/null; then
      echo "$candidate"
      return
    fi
    exec {probe}>&-
  done
}

wait_for() { # URL: until it answers 200, for 30 s
  for _ in $(seq 300); do
    curl -fs -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "profile-bridge: $1 did not answer" >&2
  exit 1
}

cat >"$WORK/Flags.java" <<'JAVA'
class Flags {
  public static void main(String[] args) {
    System.out.println(String.join(" ", dev.ollamabridge.console.instances.BridgeLaunch.JVM_FLAGS));
  }
}
JAVA
read -r -a FLAGS <<<"$("$JAVA" --class-path "$JAR" "$WORK/Flags.java")"

BACKEND=$(free_port)
"$JAVA" -jar "$JAR" fake-ollama --dialect both --token-rate 0 -l "127.0.0.1:$BACKEND" >"$WORK/backend.log" 2>&1 &
PIDS+=($!)
wait_for "http://127.0.0.1:$BACKEND/api/version"
# the profile's settings with Java methods sampled as often as JFR can (1 ms of each running thread)
"$JFR" configure method-profiling=max --output "$WORK/profile.jfc" >/dev/null
BRIDGE=$(free_port)
"$JAVA" "${FLAGS[@]}" -XX:StartFlightRecording=settings="$WORK/profile.jfc",filename="$WORK/bridge.jfr",delay=20s,duration="${SECONDS_RECORDED}s" \
  -jar "$JAR" bridge -l "127.0.0.1:$BRIDGE" --ollama "http://127.0.0.1:$BACKEND" >"$WORK/bridge.log" 2>&1 &
PIDS+=($!)
wait_for "http://127.0.0.1:$BRIDGE/health"

cat >"$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"fake-llama","stream":false,"messages":[{"role":"user","content":"Say something."}]}'
LUA
echo "profiling the bridge on $JAVA: $ROUTE, 32 connections, 20 s warm-up, ${SECONDS_RECORDED} s recorded" >&2
wrk -t1 -c32 -d"$((20 + SECONDS_RECORDED + 2))s" -s "$WORK/post.lua" "http://127.0.0.1:$BRIDGE$ROUTE" | sed -n '/Requests\/sec/p' >&2
for _ in $(seq 100); do
  [[ -s $WORK/bridge.jfr ]] && break
  sleep 0.2
done
cp "$WORK/bridge.jfr" target/bridge-profile.jfr
"$JFR" view --width 160 hot-methods target/bridge-profile.jfr
"$JFR" view --width 160 allocation-by-class target/bridge-profile.jfr
