# Sourced by ./wakefd and the benchmark script: sets WAKEFD_JAVA to a java binary of a JDK >= 22,
# looking where the Maven build looks (JAVA_HOME, PATH, /usr/lib/jvm, /usr/java, /opt/java,
# SDKMAN, ~/.jdks), or prints what it needs and returns 1. It reads each JDK's `release` file
# (JAVA_VERSION="25.0.3") rather than starting a JVM; only a JDK without one is asked by running it.
wakefd_java_feature() { # prints the feature version of a java binary, e.g. 25
  local java=$1 home line v
  home=$(readlink -f "$java" 2>/dev/null) && home=${home%/bin/java}
  if [ -n "$home" ] && [ -r "$home/release" ]; then
    while IFS= read -r line; do   # bash only: no grep, no JVM
      case $line in
        JAVA_VERSION=*)
          v=${line#JAVA_VERSION=}
          v=${v//\"/}
          v=${v%%[.+_-]*}
          if [ "$v" = 1 ]; then v=8; fi   # "1.8.0_..." is Java 8
          echo "$v"
          return ;;
      esac
    done <"$home/release"
  fi
  "$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n1
}
wakefd_find_jdk() {
  local min=22 cand v
  for cand in "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java 2>/dev/null)" \
              /usr/lib/jvm/*/bin/java /usr/java/*/bin/java /opt/java/*/bin/java \
              "$HOME"/.sdkman/candidates/java/*/bin/java "$HOME"/.jdks/*/bin/java; do
    [ -n "$cand" ] && [ -x "$cand" ] || continue
    v=$(wakefd_java_feature "$cand")
    if [ -n "$v" ] && [ "${v%%.*}" -ge "$min" ] 2>/dev/null; then
      WAKEFD_JAVA=$cand
      return 0
    fi
  done
  echo "wakefd needs a JDK $min or later (java.lang.foreign); none found in JAVA_HOME, PATH, /usr/lib/jvm, /usr/java, /opt/java, ~/.sdkman or ~/.jdks. Install one (e.g. Temurin 25) or set JAVA_HOME." >&2
  return 1
}
