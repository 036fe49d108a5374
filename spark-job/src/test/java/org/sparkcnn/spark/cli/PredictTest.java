package org.sparkcnn.spark.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.core.data.ImageArray;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `predict` on IDX and PNG images, for a model trained by `train`. */
class PredictTest {
    static final String SAMPLE = "../data/mnist-sample";
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void train() {
        assertEquals(0, Main.run("train", "--model", "conv5x5x8,maxpool2,dense32:relu,softmax10", "--epochs", "1",
                "--train-limit", "3000", "--workers", "2", "--progress", "none", "--out", dir.resolve("run").toString()));
        model = dir.resolve("run/model.scnn");
    }

    private static String stdout(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true));
        try {
            assertEquals(0, Main.run(args));
        } finally {
            System.setOut(old);
        }
        return bytes.toString();
    }

    @Test
    void predictsIdxImagesAndAPngOfTheSameDigitAlike() throws Exception {
        String idx = SAMPLE + "/t10k-images-idx3-ubyte.gz";
        String[] lines = stdout("predict", "--model", model.toString(), "--limit", "200", idx).trim().split("\n");
        assertEquals(200, lines.length);
        ImageArray test = ImageArray.load(Path.of(SAMPLE), false);
        int correct = 0;
        for (int i = 0; i < lines.length; i++) {
            String[] f = lines[i].split("\t");
            assertEquals(idx + "#" + i, f[0]);
            double p = Double.parseDouble(f[2]);
            assertTrue(p > 0 && p <= 1, lines[i]);
            correct += Integer.parseInt(f[1]) == test.label(i) ? 1 : 0;
        }
        assertTrue(correct >= 160, "correct predictions: " + correct + "/200");

        BufferedImage png = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int v = test.pixels()[y * 28 + x] & 0xff;
                png.getRaster().setSample(x, y, 0, v);
            }
        }
        Path file = dir.resolve("digit0.png");
        ImageIO.write(png, "png", file.toFile());
        String[] pngLine = stdout("predict", "--model", model.toString(), file.toString()).trim().split("\t");
        assertEquals(lines[0].split("\t")[1], pngLine[1], "PNG and IDX predictions of image 0 differ");
    }
}
