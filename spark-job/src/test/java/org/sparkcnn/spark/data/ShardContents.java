package org.sparkcnn.spark.data;

import org.sparkcnn.core.Shape;
import org.sparkcnn.core.data.ImageArray;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * What a set of cached shards holds, shard by shard: the source indices, labels and pixels in order. Two sources
 * that place equal contents give the same training run.
 */
record ShardContents(List<int[]> index, List<ImageArray> images) {

    static ShardContents of(Shards shards) {
        List<int[]> index = new ArrayList<>();
        List<ImageArray> images = new ArrayList<>();
        int[] all = java.util.stream.IntStream.range(0, shards.shards()).toArray();
        for (List<ExampleChunk> shard : shards.rdd().collectPartitions(all)) {
            index.add(shard.stream().flatMapToInt(c -> Arrays.stream(c.index())).toArray());
            images.add(ImageArray.concat(shards.shape(), shard.stream().map(ExampleChunk::images).toList()));
        }
        shards.release();
        return new ShardContents(index, images);
    }

    /** Placed by {@link Shards#place} in {@code shards} shards under {@code layout}. */
    static ShardContents place(org.apache.spark.api.java.JavaSparkContext sc, ImageSource src, int shards,
                               int classes, Layout layout) {
        return of(Shards.place(sc, src, shards, classes, layout));
    }

    /** Whether both hold the same examples in the same shards and order. */
    boolean sameAs(ShardContents o) {
        if (index.size() != o.index.size()) {
            return false;
        }
        for (int w = 0; w < index.size(); w++) {
            if (!Arrays.equals(index.get(w), o.index.get(w))
                    || !Arrays.equals(images.get(w).labels(), o.images.get(w).labels())
                    || !Arrays.equals(images.get(w).pixels(), o.images.get(w).pixels())) {
                return false;
            }
        }
        return true;
    }

    long examples() {
        return index.stream().mapToLong(i -> i.length).sum();
    }

    /** {@code n} random images of {@code shape} with labels 0..classes-1 (seeded). */
    static ImageArray random(int n, Shape shape, int classes, long seed) {
        Random r = new Random(seed);
        byte[] pixels = new byte[n * shape.size()];
        byte[] labels = new byte[n];
        r.nextBytes(pixels);
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) r.nextInt(classes);
        }
        return new ImageArray(pixels, labels, shape);
    }

    /** Writes {@code data} as the plain IDX training files of {@code dir} (IDX4 images, IDX1 labels). */
    static void writeIdx(Path dir, ImageArray data) throws IOException {
        writeIdx(dir, data, true, false);
    }

    /** Writes {@code data} as the IDX training or test files of {@code dir}, plain or gzipped. */
    static void writeIdx(Path dir, ImageArray data, boolean train, boolean gzip) throws IOException {
        Shape s = data.shape();
        String[] names = ImageArray.fileNames(train);
        String suffix = gzip ? ".gz" : "";
        try (DataOutputStream out = open(dir.resolve(names[1] + suffix), gzip)) {
            out.writeInt(2052);
            out.writeInt(data.size());
            out.writeInt(s.channels());
            out.writeInt(s.height());
            out.writeInt(s.width());
            out.write(data.pixels());
        }
        try (DataOutputStream out = open(dir.resolve(names[2] + suffix), gzip)) {
            out.writeInt(2049);
            out.writeInt(data.size());
            out.write(data.labels());
        }
    }

    private static DataOutputStream open(Path file, boolean gzip) throws IOException {
        java.io.OutputStream raw = Files.newOutputStream(file);
        return new DataOutputStream(gzip ? new java.util.zip.GZIPOutputStream(raw) : raw);
    }
}
