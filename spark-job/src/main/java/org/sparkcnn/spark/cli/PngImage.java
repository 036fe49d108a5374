package org.sparkcnn.spark.cli;

import org.sparkcnn.core.Shape;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * One PNG as a model input: its size is read from the header (the IHDR chunk) and checked against the model's
 * before a pixel is decoded, so a small file declaring 100,000 × 100,000 pixels costs no memory.
 */
final class PngImage {
    private PngImage() { }

    /**
     * The gray values of {@code file} in [0, 1] (ITU-R 601 luma; {@code invert} gives 1 − luma), row-major, for a
     * model whose input is {@code in} (one channel). A file that is not a PNG, or is not exactly in's width ×
     * height, is a {@link UserError} naming it.
     */
    static float[] read(Path file, Shape in, boolean invert) throws IOException {
        BufferedImage img;
        try (ImageInputStream stream = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = stream == null ? null : ImageIO.getImageReaders(stream);
            if (readers == null || !readers.hasNext()) {
                throw new UserError(file + ": not a readable PNG image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(stream, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                if (height != in.height() || width != in.width()) {
                    throw new UserError(file + ": image is " + width + "x" + height + " but the model expects "
                            + in.width() + "x" + in.height());
                }
                img = reader.read(0);
            } catch (javax.imageio.IIOException e) {
                throw new UserError(file + ": not a readable PNG image (" + e.getMessage() + ")");
            } finally {
                reader.dispose();
            }
        }
        float[] v = new float[in.size()];
        for (int y = 0; y < in.height(); y++) {
            for (int x = 0; x < in.width(); x++) {
                int rgb = img.getRGB(x, y);
                double gray = (0.299 * ((rgb >> 16) & 255) + 0.587 * ((rgb >> 8) & 255) + 0.114 * (rgb & 255)) / 255.0;
                v[y * in.width() + x] = (float) (invert ? 1 - gray : gray);
            }
        }
        return v;
    }
}
