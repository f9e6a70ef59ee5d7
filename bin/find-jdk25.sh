# Sourced by bin/tidecache and .ci/run: points JAVA_HOME at a JDK 25 or stops with a clear message.
# Order: $JAVA_HOME if it is a JDK 25; else the first JDK 25 under /usr/lib/jvm (or $TIDECACHE_JVM_DIR).
tidecache_is_jdk25() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] &&
    "$1/bin/java" -XshowSettings:properties -version 2>&1 | grep -Eq 'java\.specification\.version = 25$'
}
tidecache_find_jdk25() {
  if [ -n "${JAVA_HOME:-}" ] && tidecache_is_jdk25 "$JAVA_HOME"; then
    return 0
  fi
  local dir candidate
  dir="${TIDECACHE_JVM_DIR:-/usr/lib/jvm}"
  for candidate in "$dir"/*25* "$dir"/*; do
    if [ -d "$candidate" ] && tidecache_is_jdk25 "$candidate"; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  done
  echo "tidecache needs a JDK 25 (java.lang.foreign is final in 25)." >&2
  echo "JAVA_HOME=${JAVA_HOME:-<unset>} is not one, and none was found under $dir." >&2
  echo "Install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  return 1
}
tidecache_find_jdk25 || exit 1
export PATH="$JAVA_HOME/bin:$PATH"
