package org.sparkcnn.core;

import java.io.Serializable;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How a layer's weights start. With n_in the fan-in (inputs per output unit; C·k·k for a convolution) and n_out
 * the fan-out:
 * <ul>
 *   <li>{@code zeros}, {@code constantV}: every weight 0 or V;</li>
 *   <li>{@code uniformA}: U(−A, A); {@code normalS}: N(0, S²) — "near-zero random";</li>
 *   <li>{@code xavier-normal}, {@code xavier-uniform}: Var(W) = 1/n_in (Glorot &amp; Bengio 2010, eq. 15's
 *       one-sided form, as in Caffe's "xavier");</li>
 *   <li>{@code glorot-normal}, {@code glorot-uniform}: Var(W) = 2/(n_in + n_out) (Glorot &amp; Bengio 2010, eq. 16);</li>
 *   <li>{@code he}: N(0, 2/n_in) (He et al. 2015), for ReLU layers.</li>
 * </ul>
 * A uniform distribution U(−a, a) has variance a²/3, so a = sqrt(3·Var).
 */
public record WeightInit(Kind kind, double value) implements Serializable {

    public enum Kind { ZEROS, CONSTANT, UNIFORM, NORMAL, XAVIER_NORMAL, XAVIER_UNIFORM, GLOROT_NORMAL, GLOROT_UNIFORM, HE }

    public WeightInit {
        if (!Double.isFinite(value) || ((kind == Kind.UNIFORM || kind == Kind.NORMAL) && value <= 0)) {
            throw new IllegalArgumentException("weight init " + kind + " needs a positive finite scale, got " + value);
        }
    }

    public static WeightInit of(Kind kind) {
        return new WeightInit(kind, 0);
    }

    /** Fills {@code w} with draws for a layer of the given fan-in and fan-out. */
    public void fill(float[] w, int fanIn, int fanOut, SplittableRandom rng) {
        switch (kind) {
            case ZEROS -> java.util.Arrays.fill(w, 0f);
            case CONSTANT -> java.util.Arrays.fill(w, (float) value);
            case UNIFORM -> uniform(w, value, rng);
            case NORMAL -> normal(w, value, rng);
            case XAVIER_NORMAL -> normal(w, Math.sqrt(1.0 / fanIn), rng);
            case XAVIER_UNIFORM -> uniform(w, Math.sqrt(3.0 / fanIn), rng);
            case GLOROT_NORMAL -> normal(w, Math.sqrt(2.0 / (fanIn + fanOut)), rng);
            case GLOROT_UNIFORM -> uniform(w, Math.sqrt(6.0 / (fanIn + fanOut)), rng);
            case HE -> normal(w, Math.sqrt(2.0 / fanIn), rng);
        }
    }

    private static void uniform(float[] w, double a, SplittableRandom rng) {
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((rng.nextDouble() * 2 - 1) * a);
        }
    }

    private static void normal(float[] w, double sigma, SplittableRandom rng) {
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (gaussian(rng) * sigma);
        }
    }

    /** A standard normal draw (Marsaglia's polar method) from a seeded stream. */
    static double gaussian(SplittableRandom rng) {
        double u, v, s;
        do {
            u = rng.nextDouble() * 2 - 1;
            v = rng.nextDouble() * 2 - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        return u * Math.sqrt(-2 * Math.log(s) / s);
    }

    /** The text form, e.g. {@code he}, {@code normal0.01}, {@code glorot-uniform}. */
    public String token() {
        String name = kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (kind) {
            case CONSTANT, UNIFORM, NORMAL -> name + trim(value);
            default -> name;
        };
    }

    static String trim(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : Double.toString(v);
    }

    /** Parses the text form; null if the word names no initialization. */
    public static WeightInit parseOrNull(String word) {
        for (Kind k : Kind.values()) {
            String name = k.name().toLowerCase(Locale.ROOT).replace('_', '-');
            if (word.equals(name) && k != Kind.CONSTANT && k != Kind.UNIFORM && k != Kind.NORMAL) {
                return of(k);
            }
            if ((k == Kind.CONSTANT || k == Kind.UNIFORM || k == Kind.NORMAL) && word.startsWith(name)
                    && word.length() > name.length()) {
                try {
                    return new WeightInit(k, Double.parseDouble(word.substring(name.length())));
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return switch (word) {
            case "xavier" -> of(Kind.XAVIER_NORMAL);
            case "glorot" -> of(Kind.GLOROT_UNIFORM);
            default -> null;
        };
    }

    /** Parses the text form or fails naming the word. */
    public static WeightInit parse(String word) {
        WeightInit w = parseOrNull(word);
        if (w == null) {
            throw new IllegalArgumentException("unknown weight init '" + word + "' (expected zeros, constantV, uniformA, "
                    + "normalS, xavier-normal, xavier-uniform, glorot-normal, glorot-uniform or he)");
        }
        return w;
    }
}
