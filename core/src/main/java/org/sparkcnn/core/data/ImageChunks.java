package org.sparkcnn.core.data;

import org.sparkcnn.core.Shape;

import java.util.List;

/**
 * Labelled images held in several {@link ImageArray}s of {@code chunkSize} examples each (the last may hold fewer),
 * read as one set: example i is example {@code i % chunkSize} of chunk {@code i / chunkSize}. This is how a
 * worker's shard is kept, so no single array caps its size.
 */
public final class ImageChunks implements ImageSet {
    private final List<ImageArray> chunks;
    private final Shape shape;
    private final int chunkSize;
    private final int size;

    /** The chunks in order; every chunk but the last must hold exactly as many examples as the first. */
    public ImageChunks(Shape shape, List<ImageArray> chunks) {
        long total = 0;
        int first = chunks.isEmpty() ? 1 : Math.max(1, chunks.get(0).size());
        for (int c = 0; c < chunks.size(); c++) {
            ImageArray a = chunks.get(c);
            if (!a.shape().equals(shape)) {
                throw new IllegalArgumentException("chunk " + c + " holds images of " + a.shape() + ", not " + shape);
            }
            if (c < chunks.size() - 1 && a.size() != first) {
                throw new IllegalArgumentException("chunk " + c + " holds " + a.size() + " examples, not " + first);
            }
            total += a.size();
        }
        this.chunks = List.copyOf(chunks);
        this.shape = shape;
        this.chunkSize = first;
        this.size = Math.toIntExact(total);
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int label(int i) {
        return chunks.get(i / chunkSize).label(i % chunkSize);
    }

    @Override
    public byte[] pixelArray(int i) {
        return chunks.get(i / chunkSize).pixels();
    }

    @Override
    public int pixelOffset(int i) {
        return (i % chunkSize) * shape.size();
    }
}
