package org.sparkcnn.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.core.optim.OptimizerConfig;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Child-JVM program for {@link MemoryStabilityTest}: trains a small model for 10 epochs in local mode with
 * {@code args[1]} workers of {@code args[2]} cores each and prints the process's resident memory (VmRSS) after each
 * epoch as {@code rss EPOCH KB}.
 */
public final class MemoryProbe {
    private MemoryProbe() { }

    public static void main(String[] args) throws Exception {
        // the second convolution has 32 input channels, so it runs on oneDNN (ConvKernel) and its allocations count
        ModelSpec spec = ModelSpec.parse("conv5x5x32:same,maxpool2,conv3x3x8:same:relu,maxpool2,dense64:relu,"
                + "dropout0.2,softmax10");
        ImageArray data = ImageArray.load(Path.of(args[0]), true).limit(1200);
        int workers = Integer.parseInt(args[1]);
        int taskCpus = Integer.parseInt(args[2]);
        Aggregation aggregation = Aggregation.parse(args[3]);
        int tau = Integer.parseInt(args[4]);
        try (JavaSparkContext sc = LocalSpark.start("local[" + workers * taskCpus + "]", taskCpus)) {
            TrainingPlan plan = new TrainingPlan(spec, OptimizerConfig.of(OptimizerConfig.Kind.ADAM, 0.001), workers,
                    tau, 0, 32, 10, 1, true);
            ParameterAveraging pa = new ParameterAveraging(sc, plan, aggregation);
            float[] init = new Network(spec).initialize(1).params().toFloatVector();
            pa.train(InMemory.training(sc, data, plan, 1), pa.initialState(init), new ParameterAveraging.Listener() {
                @Override
                public void onEpochEnd(int epoch, RoundEnd next) {
                    System.gc();
                    System.out.println("rss " + (epoch + 1) + " " + rssKb());
                    System.out.println("storage " + (epoch + 1) + " " + storageBytes(sc));
                }
            });
        }
    }

    /** Bytes the block managers use for storage: cached shards and exchange blocks. */
    static long storageBytes(JavaSparkContext sc) {
        long used = 0;
        scala.collection.Iterator<scala.Tuple2<Object, Object>> mem = sc.sc().getExecutorMemoryStatus().valuesIterator();
        while (mem.hasNext()) {
            scala.Tuple2<Object, Object> maxAndFree = mem.next();
            used += (Long) maxAndFree._1() - (Long) maxAndFree._2();
        }
        return used;
    }

    static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
