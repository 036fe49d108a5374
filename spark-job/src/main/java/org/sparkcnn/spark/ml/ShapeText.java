package org.sparkcnn.spark.ml;

import org.sparkcnn.core.Shape;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An image shape written as {@code CxHxW} ({@code 1x28x28}), as the {@code inputShape} param holds it. */
final class ShapeText {
    private static final Pattern SHAPE = Pattern.compile("\\s*(\\d{1,5})x(\\d{1,5})x(\\d{1,5})\\s*");

    private ShapeText() { }

    static Optional<Shape> parse(String text) {
        Matcher m = text == null ? null : SHAPE.matcher(text);
        if (m == null || !m.matches()) {
            return Optional.empty();
        }
        int c = Integer.parseInt(m.group(1));
        int h = Integer.parseInt(m.group(2));
        int w = Integer.parseInt(m.group(3));
        if (c < 1 || h < 1 || w < 1 || (long) c * h * w > Integer.MAX_VALUE) {
            return Optional.empty();
        }
        return Optional.of(new Shape(c, h, w));
    }
}
