package org.sparkcnn.spark.data;

import org.sparkcnn.core.data.ImageArray;

import java.io.Serializable;

/**
 * A run of consecutive examples of a shard: the images and, for each, its index in the source (its position in the
 * files as read), from which a global reshuffle computes where it goes.
 *
 * @param index  index[j] is example j's index in the source
 * @param images the examples
 */
public record ExampleChunk(int[] index, ImageArray images) implements Serializable {
    public ExampleChunk {
        if (index.length != images.size()) {
            throw new IllegalArgumentException(index.length + " indices for " + images.size() + " examples");
        }
    }
}
