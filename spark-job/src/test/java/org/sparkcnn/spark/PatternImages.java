package org.sparkcnn.spark;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A seeded, learnable multi-channel data set written as IDX4 files: 3×16×16 images of 12 classes. Class k draws
 * shape k / 3 (a horizontal bar, a vertical bar, a diagonal, a hollow square) bright in channel k % 3, shifted by
 * up to ±2 pixels, over noise in every channel. The classes are in random order in the files.
 */
public final class PatternImages {
    public static final int CLASSES = 12;
    public static final int CHANNELS = 3;
    public static final int SIZE = 16;
    public static final String MODEL = "input3x16x16,conv3x3x8:relu,maxpool2,dense32:relu,softmax12";

    private PatternImages() { }

    /** Writes train (n examples) and t10k (m examples) IDX4 images and IDX1 labels into {@code dir}. */
    public static Path write(Path dir, int n, int m, long seed) throws IOException {
        Files.createDirectories(dir);
        write(dir, "train", n, new SplittableRandom(seed));
        write(dir, "t10k", m, new SplittableRandom(seed + 1));
        return dir;
    }

    private static void write(Path dir, String part, int count, SplittableRandom rng) throws IOException {
        byte[] labels = new byte[count];
        byte[] pixels = new byte[count * CHANNELS * SIZE * SIZE];
        for (int i = 0; i < count; i++) {
            int k = rng.nextInt(CLASSES);
            labels[i] = (byte) k;
            draw(pixels, i * CHANNELS * SIZE * SIZE, k, rng);
        }
        try (DataOutputStream out = new DataOutputStream(open(dir.resolve(part + "-images-idx4-ubyte")))) {
            out.writeInt(0x0804);
            out.writeInt(count);
            out.writeInt(CHANNELS);
            out.writeInt(SIZE);
            out.writeInt(SIZE);
            out.write(pixels);
        }
        try (DataOutputStream out = new DataOutputStream(open(dir.resolve(part + "-labels-idx1-ubyte")))) {
            out.writeInt(0x0801);
            out.writeInt(count);
            out.write(labels);
        }
    }

    private static OutputStream open(Path p) throws IOException {
        return new java.io.BufferedOutputStream(Files.newOutputStream(p));
    }

    private static void draw(byte[] px, int at, int k, SplittableRandom rng) {
        int channel = k % CHANNELS;
        int shape = k / CHANNELS;
        int dx = rng.nextInt(5) - 2;
        int dy = rng.nextInt(5) - 2;
        for (int c = 0; c < CHANNELS; c++) {
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    int v = rng.nextInt(50);
                    if (on(shape, x - dx, y - dy)) {
                        v = c == channel ? 170 + rng.nextInt(86) : 30 + rng.nextInt(60);
                    }
                    px[at + (c * SIZE + y) * SIZE + x] = (byte) v;
                }
            }
        }
    }

    /** Whether (x, y) of a centred, unshifted image lies on shape s. */
    private static boolean on(int s, int x, int y) {
        return switch (s) {
            case 0 -> y >= 7 && y <= 8 && x >= 3 && x <= 12;
            case 1 -> x >= 7 && x <= 8 && y >= 3 && y <= 12;
            case 2 -> Math.abs(x - y) <= 1 && x >= 3 && x <= 12;
            default -> (x == 4 || x == 11) && y >= 4 && y <= 11 || (y == 4 || y == 11) && x >= 4 && x <= 11;
        };
    }
}
