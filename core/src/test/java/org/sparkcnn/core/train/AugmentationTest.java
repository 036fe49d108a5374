package org.sparkcnn.core.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.Shape;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Augmentation: exact shifts and flips, seeded and split-invariant, label smoothing. */
class AugmentationTest {
    static final Shape SHAPE = new Shape(2, 7, 9);

    static float[] image(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[SHAPE.size()];
        for (int k = 0; k < a.length; k++) {
            a[k] = (float) r.nextDouble();
        }
        return a;
    }

    @Test
    void aShiftMovesEveryPixelByAWholeOffsetWithinTheBound() {
        Augmentation shift = Augmentation.parse("shift2");
        float[] src = image(1);
        for (long seed = 0; seed < 20; seed++) {
            float[] dst = new float[src.length];
            shift.transform(src, dst, SHAPE, new SplittableRandom(seed));
            assertTrue(isShiftOf(src, dst, 2), "seed " + seed);
        }
    }

    /** Whether dst is src moved by some (dy, dx) with |dy|, |dx| <= k, zeros coming in. */
    static boolean isShiftOf(float[] src, float[] dst, int k) {
        int h = SHAPE.height();
        int w = SHAPE.width();
        for (int dy = -k; dy <= k; dy++) {
            for (int dx = -k; dx <= k; dx++) {
                boolean all = true;
                for (int ch = 0; ch < 2 && all; ch++) {
                    for (int r = 0; r < h && all; r++) {
                        for (int c = 0; c < w && all; c++) {
                            int sr = r - dy;
                            int sc = c - dx;
                            float expected = sr < 0 || sr >= h || sc < 0 || sc >= w ? 0 : src[ch * h * w + sr * w + sc];
                            all = Math.abs(dst[ch * h * w + r * w + c] - expected) < 1e-6;
                        }
                    }
                }
                if (all) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void aFlipMirrorsTheColumnsAndTwoFlipsGiveTheImageBack() {
        Augmentation flip = Augmentation.parse("flip");
        float[] src = image(2);
        int flipped = 0;
        for (long seed = 0; seed < 16; seed++) {
            float[] dst = new float[src.length];
            flip.transform(src, dst, SHAPE, new SplittableRandom(seed));
            if (!java.util.Arrays.equals(src, dst)) {
                flipped++;
                float[] back = new float[src.length];
                flip.transform(dst, back, SHAPE, new SplittableRandom(seed));
                assertArrayEquals(src, back, 1e-6f);
                assertEquals(src[3], dst[SHAPE.width() - 1 - 3], 1e-6f);
            }
        }
        assertTrue(flipped > 3 && flipped < 13, flipped + " of 16 flipped");
    }

    @Test
    void aBatchAugmentsEachExampleAsItsOwnStreamSaysWhateverTheSplit() {
        Augmentation a = Augmentation.parse("shift2, rotate15, scale0.1, flip");
        assertEquals("shift2,rotate15.0,scale0.1,flip", a.toText());
        assertEquals(a, Augmentation.parse(a.toText()));
        INDArray whole = Nd4j.create(DataType.FLOAT, 6, 2, 7, 9);
        for (int i = 0; i < 6; i++) {
            whole.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).assign(Nd4j.createFromArray(image(i))
                    .reshape(2, 7, 9));
        }
        INDArray first = whole.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2)).dup('c');
        INDArray rest = whole.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 6)).dup('c');
        INDArray original = whole.dup('c');
        a.apply(whole, SHAPE, 0, 42);
        a.apply(first, SHAPE, 0, 42);
        a.apply(rest, SHAPE, 2, 42);
        assertFalse(whole.equals(original));
        assertEquals(whole, Nd4j.concat(0, first, rest));
        INDArray again = original.dup('c');
        a.apply(again, SHAPE, 0, 42);
        assertEquals(whole, again);
        assertTrue(Augmentation.NONE.isNone());
        assertThrows(IllegalArgumentException.class, () -> Augmentation.parse("shear3"));
    }

    @Test
    void labelSmoothingMixesTheOneHotRowsWithTheUniform() {
        INDArray x = Nd4j.zeros(DataType.FLOAT, 2, 2, 7, 9);
        INDArray y = Nd4j.createFromArray(new float[][] {{0, 1, 0, 0}, {1, 0, 0, 0}});
        new BatchTransforms(Augmentation.NONE, 0.2).apply(x, y, SHAPE, 0, 1);
        assertArrayEquals(new float[] {0.05f, 0.85f, 0.05f, 0.05f}, y.getRow(0).toFloatVector(), 1e-7f);
        assertEquals(2.0, y.sumNumber().doubleValue(), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> new BatchTransforms(Augmentation.NONE, 1));
    }
}
