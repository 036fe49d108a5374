package org.sparkcnn.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the driver received from tasks, as Spark's own task metrics count it ({@code resultSize}: the serialized
 * results, whether returned directly or fetched from the block manager), summed by kind of job. The kind is the job
 * description after its last ": " ("local steps", "averaging", or "local steps and averaging" for a
 * round run as one barrier job) or the whole description ("model to the driver",
 * "evaluation on ..."). Also where Spark ran the local-steps tasks ({@code PROCESS_LOCAL}: in the executor that
 * caches the task's shard), by Spark's own account.
 */
public final class DriverTraffic extends SparkListener {
    private final Map<Integer, String> kindOfStage = new ConcurrentHashMap<>();
    private final Map<String, Long> bytes = new ConcurrentHashMap<>();
    private final Map<String, Long> localStepsLocality = new ConcurrentHashMap<>();
    private final JavaSparkContext sc;

    private DriverTraffic(JavaSparkContext sc) {
        this.sc = sc;
    }

    /** Starts counting the jobs of {@code sc} from now on. */
    public static DriverTraffic attach(JavaSparkContext sc) {
        DriverTraffic t = new DriverTraffic(sc);
        sc.sc().addSparkListener(t);
        return t;
    }

    @Override
    public void onJobStart(SparkListenerJobStart start) {
        String d = start.properties() == null ? null : start.properties().getProperty("spark.job.description");
        String kind = d == null ? "other" : d.contains(": ") ? d.substring(d.lastIndexOf(": ") + 2)
                : d.startsWith("evaluation") ? "evaluation" : d;
        scala.collection.Iterator<Object> ids = start.stageIds().iterator();
        while (ids.hasNext()) {
            kindOfStage.put((Integer) ids.next(), kind);
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        String kind = kindOfStage.getOrDefault(end.stageId(), "other");
        if (end.taskMetrics() != null) {
            bytes.merge(kind, end.taskMetrics().resultSize(), Long::sum);
        }
        if (kind.startsWith("local steps") && end.taskInfo() != null) {
            localStepsLocality.merge(end.taskInfo().taskLocality().toString(), 1L, Long::sum);
        }
    }

    /** Bytes by kind of job, once the listener bus has delivered the events so far (waits up to 10 s). */
    public Map<String, Long> bytesByKind() {
        settle();
        return new TreeMap<>(bytes);
    }

    /** Local-steps tasks by locality level ({@code PROCESS_LOCAL}, {@code NODE_LOCAL}, {@code ANY}, ...). */
    public Map<String, Long> localStepsLocality() {
        settle();
        return new TreeMap<>(localStepsLocality);
    }

    private void settle() {
        try {
            sc.sc().listenerBus().waitUntilEmpty(10_000);
        } catch (java.util.concurrent.TimeoutException e) {
            // the counts so far: a slow listener bus must not fail a finished run
        }
    }

    public void detach() {
        sc.sc().removeSparkListener(this);
    }
}
