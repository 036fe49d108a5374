# Sourced by the scripts: where things live, which Spark line they build and run, the JVM options every
# Spark JVM needs on Java 17, and a Spark home (an installed distribution, or one assembled from the
# Maven-resolved Spark jars when SPARK_HOME is unset).
#
# SPARK_CNN_SPARK selects the Spark line: 4 (default: Spark 4, Scala 2.13) or 3.5 (Spark 3.5, Scala 2.12, built
# with mvn -Pspark-3.5; needed for train --engine dl4j-spark and scripts/bench.sh). The versions themselves are
# pinned once, in the parent pom.xml.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CLUSTER_DIR="$REPO_ROOT/.cluster"

die() { echo "error: $*" >&2; exit 1; }

SPARK_LINE="${SPARK_CNN_SPARK:-4}"
case "$SPARK_LINE" in
  4) MVN_PROFILE=(); export SPARK_SCALA_VERSION=2.13
     # the module whose class path the launcher runs with: the job plus export (tools)
     LAUNCHER_MODULE=tools ;;
  3.5) MVN_PROFILE=(-Pspark-3.5); export SPARK_SCALA_VERSION=2.12
     LAUNCHER_MODULE=dl4j-spark ;;
  *) die "SPARK_CNN_SPARK must be 4 or 3.5, got '$SPARK_LINE'" ;;
esac

# Spark and Kryo reach into these JDK packages; same list as add.opens in the parent pom.
SPARK_ADD_OPENS="--add-opens=java.base/java.lang=ALL-UNNAMED \
--add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
--add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
--add-opens=java.base/java.io=ALL-UNNAMED \
--add-opens=java.base/java.net=ALL-UNNAMED \
--add-opens=java.base/java.nio=ALL-UNNAMED \
--add-opens=java.base/java.util=ALL-UNNAMED \
--add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED \
--add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
--add-opens=java.base/sun.nio.cs=ALL-UNNAMED \
--add-opens=java.base/sun.security.action=ALL-UNNAMED \
--add-opens=java.base/sun.util.calendar=ALL-UNNAMED"

# Java deserialization in a spark-cnn JVM (driver or executor: Spark's task closures and RPC messages, the
# exceptions tasks send back) may build only classes of the JDK's base module, Scala, Spark (with the libraries it
# shades into org.sparkproject) and Hadoop (MLlib's model persistence ships Hadoop's Text and text formats) and
# spark-cnn; the dl4j-spark engine (Spark 3.5 line) also ships DL4J and ND4J classes. Anything else is rejected
# (JEP 290). The job's own files and its Kryo traffic use no Java serialization: this is the second line of
# defence, not the first.
SPARK_SERIAL_FILTER_CLASSES='java.base/*;scala.**;org.apache.spark.**;org.sparkproject.**;org.apache.hadoop.**;org.sparkcnn.**'
[[ "$SPARK_LINE" == 3.5 ]] && SPARK_SERIAL_FILTER_CLASSES+=';org.deeplearning4j.**;org.nd4j.**'
SPARK_SERIAL_FILTER="-Djdk.serialFilter=$SPARK_SERIAL_FILTER_CLASSES;!*"

# The launcher's class path (after build_launcher_classpath): the modules' classes, then their dependencies.
launcher_classpath() {
  local m cp=""
  for m in core spark-job tools dl4j-spark; do
    [[ "$m" == dl4j-spark && "$LAUNCHER_MODULE" != dl4j-spark ]] && continue
    cp="$cp$REPO_ROOT/$m/target/classes:"
  done
  echo "$cp$(cat "$REPO_ROOT/$LAUNCHER_MODULE/target/runtime-classpath.txt")"
}

# Compiles the modules the launcher runs (in the reactor: nothing is installed into ~/.m2) and writes the class
# path of their dependencies, when the sources, the poms or the Spark line changed since the last build. $1: extra
# mvn flags (e.g. -o). A switch of Spark line cleans first: classes compiled against the other Scala do not mix.
build_launcher_classpath() {
  local stamp="$REPO_ROOT/spark-job/target/.spark-cnn-build"
  local cp_file="$REPO_ROOT/$LAUNCHER_MODULE/target/runtime-classpath.txt"
  local built="" compiled_since=""
  [[ -f "$stamp" ]] && built="$(cat "$stamp")"
  # Classes compiled after the stamp were compiled by another command (`mvn -Pspark-3.5 package` by hand, say),
  # perhaps against the other Spark line, whose Scala the launcher's Spark would refuse with NoSuchMethodError.
  [[ -f "$stamp" ]] && compiled_since="$(cd "$REPO_ROOT" && find core/target/classes spark-job/target/classes \
      "$LAUNCHER_MODULE/target/classes" -newer "$stamp" -type f -print -quit 2>/dev/null)"
  if [[ "$built" == "$SPARK_LINE" && -f "$cp_file" && -z "$compiled_since" ]] && [[ -z "$(cd "$REPO_ROOT" && find \
      pom.xml ./*/pom.xml core/src/main spark-job/src/main tools/src/main dl4j-spark/src/main -newer "$stamp" -type f \
      -print -quit 2>/dev/null)" ]]; then
    return 0
  fi
  local clean=()
  [[ (-n "$built" && "$built" != "$SPARK_LINE") || -n "$compiled_since" ]] && clean=(clean)
  echo "building spark-cnn for Spark $SPARK_LINE (first run, sources changed or another Spark line) ..." >&2
  # shellcheck disable=SC2086
  (cd "$REPO_ROOT" && mvn -q -B ${1:-} ${MVN_PROFILE[@]+"${MVN_PROFILE[@]}"} -DskipTests -pl "$LAUNCHER_MODULE" -am \
    ${clean[@]+"${clean[@]}"} compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/runtime-classpath.txt >&2) || die "build failed"
  echo "$SPARK_LINE" > "$stamp"
}

# ND4J 1.0.0-M2 bundles OpenBLAS 0.3.19, which does not know some recent CPUs (recent AMD cores among them) and
# silently falls back to an old generic kernel, much slower than the CPU allows. With OPENBLAS_CORETYPE unset,
# this asks OpenBLAS which kernel it picks here (org.sparkcnn.core.BlasKernel with OPENBLAS_VERBOSE=2; once per
# machine, cached in .cluster/) and, when that is older than the CPU's instructions allow, exports
# OPENBLAS_CORETYPE=Haswell (AVX2 + FMA) or SkylakeX (AVX-512) with a one-line note. A value the user set is kept;
# SPARK_CNN_OPENBLAS_PROBE=0 turns the probe off. $1: a class path with spark-cnn's core and ND4J.
openblas_coretype() {
  [[ -n "${OPENBLAS_CORETYPE:-}" || "${SPARK_CNN_OPENBLAS_PROBE:-1}" == 0 ]] && return 0
  local flags want key cache chosen
  flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
  if [[ "$flags" == *" avx512f "* && "$flags" == *" avx512bw "* && "$flags" == *" avx512dq "* \
        && "$flags" == *" avx512vl "* ]]; then
    want=SkylakeX
  elif [[ "$flags" == *" avx2 "* && "$flags" == *" fma "* ]]; then
    want=Haswell
  else
    return 0
  fi
  key="$(grep -m4 -E '^(vendor_id|cpu family|model|model name)[[:space:]]*:' /proc/cpuinfo | cksum | cut -d' ' -f1)"
  cache="$CLUSTER_DIR/openblas-core-$key"
  if [[ -f "$cache" ]]; then
    chosen="$(cat "$cache")"
  else
    chosen="$(OPENBLAS_VERBOSE=2 "$(java_bin)" -cp "$1" org.sparkcnn.core.BlasKernel 2>&1 \
      | sed -n 's/^Core: *//p' | head -1)" || chosen=""
    mkdir -p "$CLUSTER_DIR" && echo "$chosen" > "$cache"
  fi
  case "$chosen" in
    ""|Haswell|SkylakeX|CooperLake|SapphireRapids|Zen) return 0 ;;
  esac
  echo "spark-cnn: OpenBLAS picked its $chosen kernel on this CPU, which has $want's instructions: setting" \
    "OPENBLAS_CORETYPE=$want (set OPENBLAS_CORETYPE yourself to choose another)" >&2
  export OPENBLAS_CORETYPE="$want"
}

java_bin() {
  if [[ -n "${JAVA_HOME:-}" ]]; then echo "$JAVA_HOME/bin/java"; else command -v java || die "java not found"; fi
}

# The feature version of java_bin (17, 21, 25, ...); 0 when it cannot be told: from the JDK's release file
# (JAVA_VERSION="25.0.3"), else from `java -version`, a JVM start (40-200 ms here, on every launch's start-up). A
# script that asks more than once sets SCNN_JAVA_FEATURE="$(java_feature)" first.
java_feature() {
  if [[ -n "${SCNN_JAVA_FEATURE:-}" ]]; then echo "$SCNN_JAVA_FEATURE"; return; fi
  local v="" java release
  java="$(readlink -f "$(java_bin)")"
  release="$(dirname "$(dirname "$java")")/release"
  [[ -f "$release" ]] && v="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")"
  [[ -z "$v" ]] && v="$("$java" -version 2>&1 | sed -n '1s/^[^"]*"\([0-9]*\).*/\1/p')"
  echo "${v:-0}"
}

# The module flags for a JVM started on this machine by java_bin: $SPARK_ADD_OPENS, and from Java 24 on, native
# access and sun.misc.Unsafe's memory access allowed for the class path (ND4J and Hadoop load native libraries,
# Spark uses Unsafe: Java 24+ otherwise prints warnings for both), without sun.security.action (no longer in
# java.base). JVMs on another machine (spark-submit's cluster) keep $SPARK_ADD_OPENS: their Java is not this one.
local_jvm_flags() {
  if (( $(java_feature) >= 24 )); then
    echo "${SPARK_ADD_OPENS/--add-opens=java.base\/sun.security.action=ALL-UNNAMED/}" \
      --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow
  else
    echo "$SPARK_ADD_OPENS"
  fi
}

# True when an installed distribution (with bin/spark-submit) is in use rather than the assembled one.
spark_is_distribution() {
  [[ -n "${SPARK_HOME:-}" && -x "$SPARK_HOME/bin/spark-submit" ]]
}

# Writes a small pom naming spark-core and spark-sql (Parquet sources) with Scala and slf4j, whose parent is the
# project's pom (so Spark, Scala, slf4j and Jackson take the versions pinned there for this Spark line), and
# copies its runtime jars into $1/jars. Offline first, then Maven Central.
assemble_spark_home() {
  # The pom lies two levels under the repository root: its parent is ../../pom.xml (a relative path; with an
  # absolute one Maven would silently take a spark-cnn-parent installed in ~/.m2 instead).
  local home="$1" build="$CLUSTER_DIR/spark-home-pom-$SPARK_LINE" version
  version="$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' "$REPO_ROOT/pom.xml")"
  mkdir -p "$build" "$home"
  cat > "$build/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.sparkcnn</groupId>
    <artifactId>spark-cnn-parent</artifactId>
    <version>$version</version>
    <relativePath>../../pom.xml</relativePath>
  </parent>
  <artifactId>spark-home</artifactId>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.spark</groupId><artifactId>spark-core_\${scala.binary.version}</artifactId></dependency>
    <dependency><groupId>org.apache.spark</groupId><artifactId>spark-sql_\${scala.binary.version}</artifactId></dependency>
    <dependency><groupId>org.apache.spark</groupId><artifactId>spark-mllib_\${scala.binary.version}</artifactId></dependency>
    <dependency><groupId>org.scala-lang</groupId><artifactId>scala-library</artifactId></dependency>
    <dependency><groupId>org.scala-lang</groupId><artifactId>scala-reflect</artifactId></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId></dependency>
  </dependencies>
</project>
POM
  local goal="org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies"
  local args=(-q -B ${MVN_PROFILE[@]+"${MVN_PROFILE[@]}"} -f "$build/pom.xml" "$goal" -DincludeScope=runtime -DoutputDirectory="$home/jars.tmp")
  rm -rf "$home/jars.tmp"
  echo "assembling the Spark $SPARK_LINE jars pinned in pom.xml into $home/jars (Maven) ..." >&2
  mvn -o "${args[@]}" >/dev/null 2>&1 || mvn "${args[@]}" >&2 || die "could not resolve Spark jars"
  compgen -G "$home/jars.tmp/spark-core_$SPARK_SCALA_VERSION-*.jar" >/dev/null \
    || die "the assembled jars are not Spark for Scala $SPARK_SCALA_VERSION ($build/pom.xml resolved another parent?)"
  rm -rf "$home/jars" && mv "$home/jars.tmp" "$home/jars"
  # Spark's launcher takes a RELEASE file as the mark of a distribution whose jars sit in jars/; its text also
  # tells a home assembled from an older pom.xml.
  echo "$(spark_home_release)" > "$home/RELEASE"
}

# What RELEASE says of a home assembled from the current pom.xml for this line.
spark_home_release() {
  echo "Spark line $SPARK_LINE (core, sql, mllib) assembled from Maven jars by scripts/local-cluster.sh (pom.xml $(cksum < "$REPO_ROOT/pom.xml" | cut -d' ' -f1))"
}

# Sets SPARK_HOME: kept when set, otherwise .cluster/spark-home-<line>, assembled on first use and again when
# pom.xml changed.
ensure_spark_home() {
  if [[ -n "${SPARK_HOME:-}" ]]; then
    [[ -d "$SPARK_HOME/jars" ]] || die "SPARK_HOME=$SPARK_HOME has no jars/ folder"
  else
    export SPARK_HOME="$CLUSTER_DIR/spark-home-$SPARK_LINE"
    if [[ ! -f "$SPARK_HOME/RELEASE" || "$(cat "$SPARK_HOME/RELEASE")" != "$(spark_home_release)" ]] \
        || ! compgen -G "$SPARK_HOME/jars/spark-sql_$SPARK_SCALA_VERSION-*.jar" >/dev/null; then
      assemble_spark_home "$SPARK_HOME"
    fi
  fi
  export SPARK_HOME
}

# Class-data sharing for the launcher's JVM: the JVM maps the classes an earlier run loaded (Spark, Scala, Hadoop,
# ND4J, ours) instead of reading, parsing and verifying them again. Java 17 to 24: a dynamic AppCDS archive
# (CDS_KIND=cds, launcher-<key>.jsa). Java 25+: an AOT cache (JEP 483, 514, 515; CDS_KIND=aot, launcher-<key>.aot),
# which also holds the classes linked and the methods' execution profiles of the run that wrote it, so the JIT
# starts from them. Java archives classes from jars only and refuses to write an archive when the class path
# holds a non-empty directory, so the modules' classes/ are packed into one jar; jar and archive live in
# $LAUNCHER_MODULE/target/cds/. The archive's name is a checksum of the java binary and of every class path entry
# (path, size, time): a rebuild, a changed dependency or another JDK makes a new one. Sets CDS_CLASSPATH,
# CDS_ARCHIVE and CDS_KIND; CDS_ARCHIVE is empty when SPARK_CNN_CDS=0 or the JVM is not 17+ (then CDS_CLASSPATH
# is the plain launcher class path).
launcher_cds() {
  CDS_CLASSPATH="$(launcher_classpath)"
  CDS_ARCHIVE=""
  CDS_KIND=cds
  [[ "${SPARK_CNN_CDS:-1}" == 0 ]] && return 0
  local java dir jar jars dirs key feature
  java="$(java_bin)"
  feature="$(java_feature)"
  (( feature >= 17 )) || return 0
  (( feature >= 25 )) && CDS_KIND=aot
  dir="$REPO_ROOT/$LAUNCHER_MODULE/target/cds"
  jar="$dir/spark-cnn-classes.jar"
  jars="$(tr ':' '\n' <<< "$CDS_CLASSPATH" | grep '\.jar$' | awk '!seen[$0]++' | paste -sd:)"
  dirs="$(tr ':' '\n' <<< "$CDS_CLASSPATH" | grep -v '\.jar$' | awk 'NF && !seen[$0]++')"
  mkdir -p "$dir" || return 0
  # shellcheck disable=SC2086
  if [[ ! -f "$jar" ]] || [[ -n "$(find $dirs -newer "$jar" -print -quit 2>/dev/null)" ]]; then
    local args=() d
    for d in $dirs; do args+=(-C "$d" .); done
    "$(dirname "$(readlink -f "$java")")/jar" --create --file "$jar.$$" "${args[@]}" 2>/dev/null \
      && mv -f "$jar.$$" "$jar" || { rm -f "$jar.$$"; CDS_ARCHIVE=""; return 0; }
  fi
  CDS_CLASSPATH="$jars:$jar"
  key="$( { readlink -f "$java"; tr ':' '\n' <<< "$CDS_CLASSPATH" | xargs -d '\n' stat -c '%n %s %Y'; } | cksum \
    | cut -d' ' -f1)"
  if [[ $CDS_KIND == aot ]]; then CDS_ARCHIVE="$dir/launcher-$key.aot"; else CDS_ARCHIVE="$dir/launcher-$key.jsa"; fi
}

# Sets CDS_FLAGS to the JVM flags that run with the launcher's archive $CDS_ARCHIVE (it exists). A JVM that
# refuses it (another class path, a changed jar) runs without it, silently.
cds_use_flags() {
  if [[ $CDS_KIND == aot ]]; then
    CDS_FLAGS=(-XX:AOTCache="$CDS_ARCHIVE" '-Xlog:aot*=off' '-Xlog:cds*=off')
  else
    CDS_FLAGS=(-XX:SharedArchiveFile="$CDS_ARCHIVE" -Xshare:auto -Xlog:cds=off,cds+dynamic=off)
  fi
}

# Sets CDS_RECORDED to the file the run that records the archive's contents writes (cds: the archive itself, at
# exit; aot: the AOT configuration, which cds_assemble turns into the cache) and CDS_FLAGS to that run's flags.
# $1: the temporary archive.
cds_record_flags() {
  if [[ $CDS_KIND == aot ]]; then
    CDS_RECORDED="$1.conf"
    # the JVM prints "AOTConfiguration recorded: <file>" on stdout at exit, whatever -Xlog says: no VM output
    # on the terminal in this run (Java's own output, exceptions included, is unaffected)
    CDS_FLAGS=(-XX:AOTMode=record -XX:AOTConfiguration="$CDS_RECORDED" '-Xlog:aot*=off' '-Xlog:cds*=off'
      -XX:+UnlockDiagnosticVMOptions -XX:-DisplayVMOutput)
  else
    CDS_RECORDED="$1"
    CDS_FLAGS=(-XX:ArchiveClassesAtExit="$CDS_RECORDED" -Xlog:cds=off,cds+dynamic=off)
  fi
}

# cds_assemble TMP JVM-FLAGS...: makes the archive TMP from what the recording run left in $CDS_RECORDED (aot: a
# separate JVM assembles the cache, with the run's own flags; cds: that is the archive already) and checks that a
# JVM starts with it (a truncated archive crashes the JVM). False when it fails; only TMP is left, if anything.
cds_assemble() {
  local tmp="$1"; shift
  local java; java="$(java_bin)"
  if [[ $CDS_KIND == aot ]]; then
    local ok=1
    [[ -s "$CDS_RECORDED" ]] && "$java" "$@" -XX:AOTMode=create -XX:AOTConfiguration="$CDS_RECORDED" \
      -XX:AOTCache="$tmp" '-Xlog:aot*=off' '-Xlog:cds*=off' -cp "$CDS_CLASSPATH" >/dev/null 2>&1 \
      && "$java" "$@" -XX:AOTMode=on -XX:AOTCache="$tmp" '-Xlog:aot*=off' '-Xlog:cds*=off' \
        -cp "$CDS_CLASSPATH" -version >/dev/null 2>&1 && ok=0
    rm -f "$CDS_RECORDED"
    return $ok
  fi
  [[ -s "$tmp" ]] && "$java" -XX:SharedArchiveFile="$tmp" -Xshare:auto -Xlog:cds=off,cds+dynamic=off \
    -cp "$CDS_CLASSPATH" -version >/dev/null 2>&1
}
