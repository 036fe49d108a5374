# Sourced by scripts/local-cluster.sh and scripts/submit.sh: where things live, the JVM options every
# Spark JVM needs on Java 17, and a Spark home (an installed distribution, or one assembled from the
# Maven-resolved Spark jars when SPARK_HOME is unset).

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CLUSTER_DIR="$REPO_ROOT/.cluster"
SPARK_VERSION_PIN="3.5.7"
SCALA_VERSION_PIN="2.12.18"
SLF4J_VERSION_PIN="2.0.7"
JACKSON_VERSION_PIN="2.15.2"
export SPARK_SCALA_VERSION=2.12

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

die() { echo "error: $*" >&2; exit 1; }

java_bin() {
  if [[ -n "${JAVA_HOME:-}" ]]; then echo "$JAVA_HOME/bin/java"; else command -v java || die "java not found"; fi
}

# True when an installed distribution (with bin/spark-submit) is in use rather than the assembled one.
spark_is_distribution() {
  [[ -n "${SPARK_HOME:-}" && -x "$SPARK_HOME/bin/spark-submit" ]]
}

# Writes a small pom naming spark-core and spark-sql (Parquet sources) with Scala, slf4j and Jackson pinned
# as in the project's pom, and copies its runtime jars into $1/jars. Offline first, then Maven Central.
assemble_spark_home() {
  local home="$1" build="$CLUSTER_DIR/spark-home-pom"
  mkdir -p "$build" "$home"
  cat > "$build/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>org.sparkcnn.local</groupId>
  <artifactId>spark-home</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencyManagement>
    <dependencies>
      <dependency><groupId>org.scala-lang</groupId><artifactId>scala-library</artifactId><version>$SCALA_VERSION_PIN</version></dependency>
      <dependency><groupId>org.scala-lang</groupId><artifactId>scala-reflect</artifactId><version>$SCALA_VERSION_PIN</version></dependency>
      <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>$SLF4J_VERSION_PIN</version></dependency>
      <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-core</artifactId><version>$JACKSON_VERSION_PIN</version></dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency><groupId>org.apache.spark</groupId><artifactId>spark-core_2.12</artifactId><version>$SPARK_VERSION_PIN</version></dependency>
    <dependency><groupId>org.apache.spark</groupId><artifactId>spark-sql_2.12</artifactId><version>$SPARK_VERSION_PIN</version></dependency>
    <dependency><groupId>org.scala-lang</groupId><artifactId>scala-library</artifactId></dependency>
    <dependency><groupId>org.scala-lang</groupId><artifactId>scala-reflect</artifactId></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId></dependency>
  </dependencies>
</project>
POM
  local goal="org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies"
  local args=(-q -B -f "$build/pom.xml" "$goal" -DincludeScope=runtime -DoutputDirectory="$home/jars.tmp")
  rm -rf "$home/jars.tmp"
  echo "assembling Spark $SPARK_VERSION_PIN jars into $home/jars (Maven) ..." >&2
  mvn -o "${args[@]}" >/dev/null 2>&1 || mvn "${args[@]}" >&2 || die "could not resolve Spark jars"
  rm -rf "$home/jars" && mv "$home/jars.tmp" "$home/jars"
  # Spark's launcher takes a RELEASE file as the mark of a distribution whose jars sit in jars/.
  echo "Spark $SPARK_VERSION_PIN (Scala 2.12) assembled from Maven jars by scripts/local-cluster.sh" > "$home/RELEASE"
}

# Sets SPARK_HOME: kept when set, otherwise .cluster/spark-home, assembled on first use.
ensure_spark_home() {
  if [[ -n "${SPARK_HOME:-}" ]]; then
    [[ -d "$SPARK_HOME/jars" ]] || die "SPARK_HOME=$SPARK_HOME has no jars/ folder"
  else
    export SPARK_HOME="$CLUSTER_DIR/spark-home"
    # A home assembled before spark-sql joined it is assembled again.
    if [[ ! -f "$SPARK_HOME/RELEASE" ]] || ! compgen -G "$SPARK_HOME/jars/spark-core_2.12-*.jar" >/dev/null \
        || ! compgen -G "$SPARK_HOME/jars/spark-sql_2.12-*.jar" >/dev/null; then
      assemble_spark_home "$SPARK_HOME"
    fi
  fi
  export SPARK_HOME
}
